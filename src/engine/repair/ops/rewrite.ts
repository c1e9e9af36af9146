import { commandLine } from '../../commandLine.js';
import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { chmod, link, lstat, open, rename, utimes, type FileHandle } from 'node:fs/promises';
import { CHUNK_BYTES } from '../../fs/readFileOnce.js';
import { READ_NOFOLLOW } from '../../fs/safePath.js';
import { writeAll } from '../../fs/writeAll.js';
import { dirname, join } from 'node:path';
import { mkdir } from 'node:fs/promises';
import { copyFileVerified } from '../../fs/copyFileVerified.js';
import { FsckError } from '../../errors.js';
import { faultPoint } from '../../fs/faultPoint.js';
import { fsyncDir } from '../../fs/fsyncDir.js';
import { BAD_LINES_SUFFIX, heldLinkPath, ownTempBeside, WHY_SUFFIX } from '../../fs/ownNames.js';
import { safePath } from '../../fs/safePath.js';
import { imageOf, imageOfPrefix, removeFile, sameImage } from '../fileState.js';
import { repairsDir, saveJournal, type JournalOp } from '../Journal.js';
import type { Edit, FileImage } from '../RepairPlan.js';
import { mkdirDurable } from '../stateDir.js';
import { rewriteWithEdits, type RewriteResult } from '../rewriteWithEdits.js';
import type { OpContext, OpKind, UndoContext } from './OpKind.js';
import { opFindings } from './writeWhy.js';
import { restoreFromRepairBackup } from './restoreFromRepairBackup.js';

/**
 * Line fixes of one file (trim, newline, NUL strip, quarantined lines), merged into one rewrite:
 * the new content goes to a temp file beside the original, is fsynced, and replaces it by rename.
 */
export const rewriteOp: OpKind = {
  kind: 'rewrite',
  claims: (steps) => steps.some((s) => s.edits.length > 0),
  build(base, steps, { repairId, quarantineDir }) {
    const edits = mergeEdits(steps.flatMap((s) => s.edits));
    if (edits.length === 0) return undefined;
    const hasQuarantine = edits.some((e) => e.kind === 'quarantine');
    const bad = `${quarantineDir}/${base.path}${BAD_LINES_SUFFIX}`;
    return {
      ...base,
      kind: 'rewrite',
      pre: steps[0]!.pre,
      edits,
      quarantine: hasQuarantine ? bad : undefined,
      quarantineTemp: hasQuarantine ? ownTempBeside(bad, repairId) : undefined,
      creates: hasQuarantine ? [bad, bad + WHY_SUFFIX] : [],
      temp: ownTempBeside(base.path, repairId),
      held: heldLinkPath(base.path, repairId),
    };
  },
  backupSet: (op) => (op.pre ? [{ path: op.path, ...op.pre }] : []),
  apply: applyRewrite,
  async undo(ctx, op) {
    const kept = await keepHeldBytes(ctx, op);
    for (const temp of [op.temp, op.quarantineTemp, op.held]) {
      const abs = temp ? await safePath(ctx.realDataDir, temp).catch(() => undefined) : undefined;
      if (abs) await removeFile(abs);
    }
    const effects = await restoreFromRepairBackup(ctx, op);
    return kept ? { ...effects, displaced: [...(effects.displaced ?? []), kept] } : effects;
  },
};

async function applyRewrite(ctx: OpContext, op: JournalOp): Promise<void> {
  const { realDataDir, journal } = ctx;
  const abs = await safePath(realDataDir, op.path);
  const tempAbs = await safePath(realDataDir, op.temp!);
  const heldAbs = op.held ? await safePath(realDataDir, op.held) : undefined;
  if (op.state === 'prepared') {
    const after = await finishAfterRename(abs, tempAbs, heldAbs, op);
    if (after === 'done') return ctx.markDone(op);
    if (after === 'refuse') {
      throw new FsckError(`${op.path} is neither its original nor its repaired content after an interrupted repair; ${op.held} keeps the original's bytes: left as they are (undo: ${commandLine('undo', realDataDir)})`);
    }
  }
  if (heldAbs) await removeFile(heldAbs); // only ever a second name of the file itself here
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
      await ctx.writeWhy(op.creates[1]!, op, { lines: linesWhy(op, result, ctx) });
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
      throw new FsckError(`${op.path} changed while it was being repaired (a writer is active?): left as it is; the repair stops here (undo: ${commandLine('undo', realDataDir)})`);
    }
    // The old inode keeps a name until its late appends are carried over: a kill in between loses none.
    if (heldAbs) await link(abs, heldAbs).catch(() => undefined); // another filesystem's rules: keep the in-memory handle only
    faultPoint('checked-before-rename', op.path);
    await rename(tempAbs, abs);
    await fsyncDir(dirname(abs));
    faultPoint('renamed-before-late-appends', op.path);
    // Bytes appended between the look above and the rename went to the old inode: copy them over.
    const late = await keepLateAppends(original, abs, st.size);
    if (late) op.appended = { bytes: (op.appended?.bytes ?? 0) + late.bytes, sha256: late.sha256 };
    if (heldAbs) await removeFile(heldAbs);
  } finally {
    await original.close();
  }
  faultPoint('renamed-into-place', op.path);
  await ctx.markDone(op);
}

/**
 * A resumed op in state `prepared`: did its rename happen? Without a held link the file must be
 * exactly the new content (a trim's result is also a prefix of the original, so a prefix proves
 * nothing). With one, a held inode other than the file's means the rename happened: the file starts
 * with the new content, then the late appends copied before the kill, and the rest of the old
 * inode's appends are carried over now. 'redo' when the rename did not happen; 'refuse' when the
 * pieces do not add up (the held link is kept for a person).
 */
async function finishAfterRename(abs: string, tempAbs: string, heldAbs: string | undefined, op: JournalOp): Promise<'done' | 'redo' | 'refuse'> {
  const [now, held] = await Promise.all([lstat(abs).catch(() => undefined), heldAbs ? lstat(heldAbs).catch(() => undefined) : undefined]);
  if (!held || !heldAbs) {
    if (!op.post || !now?.isFile() || !sameImage(await imageOf(abs), op.post)) return 'redo';
    await removeFile(tempAbs);
    return 'done';
  }
  if (now && held.ino === now.ino && held.dev === now.dev) return 'redo'; // linked, not yet renamed over
  // From here the held inode is the original, renamed over: its bytes are never removed unless carried over.
  if (!op.post || !op.pre || !now?.isFile() || !held.isFile() || !sameImage(await imageOfPrefix(abs, op.post.size), op.post)) return 'refuse';
  const copied = now.size - op.post.size;
  if (!(await sameBytes(abs, op.post.size, heldAbs, op.pre.size, copied))) return 'refuse';
  await removeFile(tempAbs);
  const original = await open(heldAbs, READ_NOFOLLOW);
  try {
    // Recorded as what this resume carried over (the bytes copied before the kill were not journaled).
    const late = await keepLateAppends(original, abs, op.pre.size + copied);
    if (late) op.appended = late;
  } finally {
    await original.close();
  }
  await removeFile(heldAbs);
  return 'done';
}

/** Are `length` bytes of file a at offset aAt the same as those of file b at bAt? */
async function sameBytes(a: string, aAt: number, b: string, bAt: number, length: number): Promise<boolean> {
  if (length === 0) return true;
  const [fa, fb] = await Promise.all([open(a, READ_NOFOLLOW), open(b, READ_NOFOLLOW)]);
  try {
    const ba = Buffer.allocUnsafe(CHUNK_BYTES);
    const bb = Buffer.allocUnsafe(CHUNK_BYTES);
    for (let done = 0; done < length; ) {
      const n = Math.min(CHUNK_BYTES, length - done);
      const [ra, rb] = await Promise.all([fa.read(ba, 0, n, aAt + done), fb.read(bb, 0, n, bAt + done)]);
      if (ra.bytesRead !== n || rb.bytesRead !== n || !ba.subarray(0, n).equals(bb.subarray(0, n))) return false;
      done += n;
    }
    return true;
  } finally {
    await Promise.all([fa.close(), fb.close()]);
  }
}

/**
 * Undo of an op a kill left between its rename and the end of the late-append copy: the held old
 * inode may hold bytes a writer appended that the new file lacks; they go to the repair's displaced/
 * folder before the link is removed, so no byte is lost whatever undo puts back.
 */
async function keepHeldBytes(ctx: UndoContext, op: JournalOp): Promise<string | undefined> {
  const heldAbs = op.held ? await safePath(ctx.realDataDir, op.held).catch(() => undefined) : undefined;
  const held = heldAbs ? await lstat(heldAbs).catch(() => undefined) : undefined;
  const now = await lstat(await safePath(ctx.realDataDir, op.path)).catch(() => undefined);
  if (!heldAbs || !held?.isFile() || !op.pre || held.size <= op.pre.size) return undefined;
  if (now && now.ino === held.ino && now.dev === held.dev) return undefined; // still the file itself
  const keep = join(repairsDir(ctx.realDataDir), ctx.journal.id, 'displaced', `${op.path}.held`);
  await mkdir(dirname(keep), { recursive: true });
  const image = await imageOf(heldAbs);
  await copyFileVerified(heldAbs, keep, image!.sha256);
  return keep;
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

function linesWhy(op: JournalOp, result: RewriteResult, ctx: OpContext) {
  const findings = opFindings(ctx.journal, op);
  return result.quarantined.map((q) => ({
    ...q,
    findings: findings.filter((f) => f.line === q.line).map((f) => ({ code: f.code, message: f.message })),
  }));
}

/** Sorted edits; a newline appended after a last line that another edit removes would leave a blank line, so it goes. */
function mergeEdits(edits: Edit[]): Edit[] {
  const sorted = [...edits].sort((a, b) => a.start - b.start || (a.kind === 'insert' ? -1 : 1));
  return sorted.filter((e) => e.kind !== 'insert' || !sorted.some((o) => (o.kind === 'cut' || o.kind === 'quarantine') && o.end === e.start && o.start < e.start));
}
