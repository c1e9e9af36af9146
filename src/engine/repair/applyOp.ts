import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { chmod, lstat, open, rename, utimes, type FileHandle } from 'node:fs/promises';
import { CHUNK_BYTES } from '../fs/readFileOnce.js';
import { READ_NOFOLLOW } from '../fs/safePath.js';
import { writeAll } from '../fs/writeAll.js';
import type { FileImage } from './RepairPlan.js';
import { dirname } from 'node:path';
import { FsckError } from '../errors.js';
import { copyFileVerified } from '../fs/copyFileVerified.js';
import { fsyncDir } from '../fs/fsyncDir.js';
import { writeFileAtomic } from '../fs/writeFileAtomic.js';
import { TOOL, VERSION } from '../version.js';
import { faultPoint } from '../fs/faultPoint.js';
import { saveJournal, type Journal, type JournalOp } from './Journal.js';
import type { Finding } from '../finding.js';
import { imageOf, removeFile, sameImage } from './fileState.js';
import { rewriteWithEdits, type RewriteResult } from './rewriteWithEdits.js';
import { safePath } from '../fs/safePath.js';
import { mkdirDurable } from './stateDir.js';

/**
 * Applies one op, or finishes it after a crash. Every op first looks at the file itself: content
 * equal to the op's post-image means it already happened, equal to its pre-image means it has not,
 * anything else means someone else changed the file, and the repair stops without touching it.
 */
export async function applyOp(realDataDir: string, journal: Journal, op: JournalOp): Promise<void> {
  if (op.kind === 'rewrite') return applyRewrite(realDataDir, journal, op);
  if (op.kind === 'move') return applyMove(realDataDir, journal, op);
  if (op.kind === 'database') return (await import('../layouts/trackioSqlite/applyDatabaseOp.js')).applyDatabaseOp(realDataDir, journal, op, { markDone, writeWhy });
  return applyCopyIn(realDataDir, journal, op);
}

async function applyRewrite(realDataDir: string, journal: Journal, op: JournalOp): Promise<void> {
  const abs = await safePath(realDataDir, op.path);
  const tempAbs = await safePath(realDataDir, op.temp!);
  if (op.state === 'prepared' && sameImage(await imageOf(abs), op.post)) {
    // Killed between the rename and the journal update: the rename happened.
    await removeFile(tempAbs);
    return markDone(realDataDir, journal, op);
  }
  await removeFile(tempAbs);
  let qTemp: string | undefined;
  let qAbs: string | undefined;
  if (op.quarantine) {
    await mkdirDurable(realDataDir, dirname(op.quarantine));
    qAbs = await safePath(realDataDir, op.quarantine);
    qTemp = await safePath(realDataDir, op.quarantineTemp!);
    await removeFile(qTemp);
  }
  // Held open from before the rewrite to after the rename: the original's inode, whose growth after
  // our last look (a writer that appended meanwhile) is found and kept (keepLateAppends).
  const original = await open(abs, READ_NOFOLLOW);
  try {
    const st = await original.stat();
    let result: RewriteResult;
    try {
      result = await rewriteWithEdits(abs, tempAbs, qTemp, op.edits!, op.pre!, st.mode & 0o7777);
      // What the disk holds is what was meant, or nothing is renamed (a short write, a bad sector).
      await expectImage(tempAbs, result.post, op.path);
      if (qTemp) await expectImage(qTemp, result.quarantineImage!, op.path);
    } catch (err) {
      await removeFile(tempAbs);
      if (qTemp) await removeFile(qTemp);
      throw err;
    }
    // The tracker's mtime says when the run last wrote; a fresh one would make a crashed run look live.
    await chmod(tempAbs, st.mode & 0o7777); // the umask applied when the temp was created
    await utimes(tempAbs, st.atime, st.mtime);
    faultPoint('rewritten-into-temp', op.path);
    if (op.post && !sameImage(op.post, result.post)) throw new FsckError(`internal error: rewriting ${op.path} again gave different bytes`);
    if (qTemp && qAbs) {
      await rename(qTemp, qAbs);
      await fsyncDir(dirname(qAbs));
      await writeWhy(realDataDir, op.creates[1]!, journal, op, { lines: linesWhy(journal, op, result) });
      faultPoint('quarantined-lines', op.path);
    }
    op.post = result.post;
    if (result.cut.length > 0) op.cut = result.cut;
    op.state = 'prepared';
    await saveJournal(realDataDir, journal, `prepared ${op.path}`);
    // A writer that appended after we read would lose its bytes to the rename: look once more, last thing.
    const last = await lstat(abs);
    if (last.size !== st.size || last.mtimeMs !== st.mtimeMs || last.ino !== st.ino) {
      await removeFile(tempAbs);
      throw new FsckError(`${op.path} changed while it was being repaired (a writer is active?): left as it is; the repair stops here (undo: trackio-fsck undo)`);
    }
    faultPoint('checked-before-rename', op.path);
    await rename(tempAbs, abs);
    await fsyncDir(dirname(abs));
    // Bytes appended between the look above and the rename went to the old inode: copy them over.
    const late = await keepLateAppends(original, abs, st.size);
    if (late) op.appended = { bytes: (op.appended?.bytes ?? 0) + late.bytes, sha256: late.sha256 };
  } finally {
    await original.close();
  }
  faultPoint('renamed-into-place', op.path);
  await markDone(realDataDir, journal, op);
}

/** Throws unless the file at `abs` holds exactly `image`. */
async function expectImage(abs: string, image: FileImage, rel: string): Promise<void> {
  const now = await imageOf(abs);
  if (!sameImage(now, image)) {
    throw new FsckError(`verification failed: ${abs} read back ${now ? `${now.size} bytes, SHA-256 ${now.sha256.slice(0, 12)}…` : 'nothing'} where ${image.size} bytes, SHA-256 ${image.sha256.slice(0, 12)}… were written; ${rel} was left as it was`);
  }
}

/**
 * After the rename, the old inode is still open in `original`: when it grew past `size` (a writer
 * appended between the last look and the rename), the new bytes are appended to the new file,
 * fsynced, until the old inode stops growing. Returns what was carried over, or undefined.
 */
async function keepLateAppends(original: FileHandle, abs: string, size: number): Promise<{ bytes: number; sha256: string } | undefined> {
  let from = size;
  const hash = createHash('sha256');
  let out: FileHandle | undefined;
  try {
    for (let round = 0; round < 100; round++) {
      const now = (await original.stat()).size;
      if (now <= from) break;
      out ??= await open(abs, constants.O_WRONLY | constants.O_APPEND | constants.O_NOFOLLOW);
      const buf = Buffer.allocUnsafe(Math.min(CHUNK_BYTES, now - from));
      while (from < now) {
        const { bytesRead } = await original.read(buf, 0, Math.min(buf.length, now - from), from);
        if (bytesRead === 0) break;
        const piece = buf.subarray(0, bytesRead);
        hash.update(piece);
        await writeAll(out, piece, abs);
        from += bytesRead;
      }
      await out.sync();
    }
  } finally {
    await out?.close();
  }
  return from > size ? { bytes: from - size, sha256: hash.digest('hex') } : undefined;
}

async function applyMove(realDataDir: string, journal: Journal, op: JournalOp): Promise<void> {
  const src = await safePath(realDataDir, op.path);
  const dst = await safePath(realDataDir, op.quarantine!);
  const s = await lstat(src).catch(() => undefined);
  const d = await lstat(dst).catch(() => undefined);
  if (!s && d) return markDone(realDataDir, journal, op); // killed after the rename
  if (!s) throw new FsckError(`${op.path} is gone and is not in ${op.quarantine}: something else moved it; the repair stops here`);
  if (d) throw new FsckError(`${op.quarantine} already exists: the repair will not overwrite it`);
  if (s.isSymbolicLink()) throw new FsckError(`${op.path} is a symbolic link: not moved`);
  if (op.pre) {
    const now = await imageOf(src);
    if (!sameImage(now, op.pre)) throw new FsckError(`${op.path} changed since the repair was planned; the repair stops here (undo: trackio-fsck undo)`);
  } else if (!s.isDirectory()) {
    throw new FsckError(`${op.path} is no longer a directory; the repair stops here`);
  }
  await mkdirDurable(realDataDir, dirname(op.quarantine!));
  await writeWhy(realDataDir, op.creates[0]!, journal, op, { item: op.quarantine });
  faultPoint('recorded-why', op.path);
  await rename(src, dst);
  await fsyncDir(dirname(dst));
  await fsyncDir(dirname(src));
  faultPoint('moved-to-quarantine', op.path);
  await markDone(realDataDir, journal, op);
}

/** restore-from-backup: the extension point for issue 5. Copies a verified file in over the damaged one. */
async function applyCopyIn(realDataDir: string, journal: Journal, op: JournalOp): Promise<void> {
  const abs = await safePath(realDataDir, op.path);
  const now = await imageOf(abs);
  if (sameImage(now, op.post)) return markDone(realDataDir, journal, op);
  if (op.pre ? !sameImage(now, op.pre) : now !== undefined) {
    throw new FsckError(`${op.path} changed since the repair was planned; the repair stops here (undo: trackio-fsck undo)`);
  }
  op.state = 'prepared';
  await saveJournal(realDataDir, journal, `prepared ${op.path}`);
  await mkdirDurable(realDataDir, dirname(op.path));
  await copyFileVerified(op.source!.path, abs, op.source!.sha256);
  faultPoint('copied-in', op.path);
  await markDone(realDataDir, journal, op);
}

async function markDone(realDataDir: string, journal: Journal, op: JournalOp): Promise<void> {
  op.state = 'done';
  await saveJournal(realDataDir, journal, `done ${op.path}`);
}

function opFindings(journal: Journal, op: JournalOp): Finding[] {
  return journal.steps.filter((s) => op.steps.includes(s.id)).flatMap((s) => s.findings);
}

function linesWhy(journal: Journal, op: JournalOp, result: RewriteResult) {
  const findings = opFindings(journal, op);
  return result.quarantined.map((q) => ({
    ...q,
    findings: findings.filter((f) => f.line === q.line).map((f) => ({ code: f.code, message: f.message })),
  }));
}

/** The record of why, next to a quarantined item: what was wrong, where it came from, how to put it back. */
async function writeWhy(realDataDir: string, rel: string, journal: Journal, op: JournalOp, extra: Record<string, unknown>): Promise<void> {
  const doc = {
    tool: TOOL,
    version: VERSION,
    repair: journal.id,
    time: new Date().toISOString(),
    originalPath: op.path,
    originalSha256: op.pre?.sha256 ?? null,
    ...extra,
    findings: opFindings(journal, op),
    restore: `trackio-fsck undo puts it back (while this is the last repair), or move it back to ${op.path} by hand`,
  };
  await writeFileAtomic(await safePath(realDataDir, rel), JSON.stringify(doc, null, 2) + '\n');
}
