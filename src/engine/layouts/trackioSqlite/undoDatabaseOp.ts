import { chmod, lstat, mkdir, rename, utimes } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { FsckError } from '../../errors.js';
import { copyFileVerified } from '../../fs/copyFileVerified.js';
import { fsyncDir } from '../../fs/fsyncDir.js';
import { faultPoint } from '../../fs/faultPoint.js';
import { imageOf, removeFile, sameImage } from '../../repair/fileState.js';
import { repairsDir, type Journal, type JournalOp } from '../../repair/Journal.js';
import { safePath } from '../../fs/safePath.js';
import type { UndoContext, UndoEffects } from '../../repair/ops/OpKind.js';
import { removeTemps } from './applyDatabaseOp.js';
import { isProjectLive } from './isProjectLive.js';

/**
 * Puts a repaired database back to its exact bytes from before the repair: the .db from its
 * verified pre-repair copy, its -wal/-shm/-journal moved back from quarantine (or copied from the
 * backup). Refuses while a Trackio writer holds the project, and when the database was written
 * after the repair (a -wal of its own, or bytes that are neither the repaired nor the original
 * ones), unless --force: then those are kept in the repair's displaced/ folder first.
 * Returns what it did, or why it could not (`conflict`).
 */
export async function undoDatabaseOp(ctx: UndoContext, op: JournalOp): Promise<UndoEffects> {
  const out: Required<Omit<UndoEffects, 'conflict'>> = { restored: [], movedBack: [], removed: [], displaced: [] };
  const conflict = await undoInto(ctx.realDataDir, ctx.journal, op, ctx, out);
  return conflict ? { conflict, ...out } : out;
}

type Effects = Required<Omit<UndoEffects, 'conflict'>>;

async function undoInto(realDataDir: string, journal: Journal, op: JournalOp, opts: { force: boolean }, out: Effects): Promise<string | undefined> {
  const info = op.database!;
  const abs = await safePath(realDataDir, op.path);
  await removeTemps(await safePath(realDataDir, op.temp!));
  if (op.state === 'pending') return undefined; // nothing but the temp is touched before "prepared"
  const project = basename(op.path).replace(/\.db$/, '');
  if (!opts.force && (await isProjectLive(dirname(abs), project))) {
    return `${op.path}: project ${project} is being written right now: stop the writer, or undo --force`;
  }
  const now = await imageOf(abs);
  if (!now && info.original) {
    // Killed between moving the original to quarantine and renaming the new database into place.
    await rename(await safePath(realDataDir, info.original), abs);
    await fsyncDir(dirname(abs));
    out.movedBack.push(op.path);
  } else if (!sameImage(now, op.pre)) {
    if (!sameImage(now, op.post) && !opts.force) {
      return `${op.path} changed after the repair (it is neither the repaired nor the original database): left as it is; undo --force replaces it, keeping its current bytes in the repair's displaced/ folder`;
    }
    const own = [];
    for (const suffix of ['-wal', '-shm', '-journal']) {
      const image = await imageOf(abs + suffix);
      if (image) own.push({ suffix, image });
    }
    if (own.some((s) => s.suffix !== '-shm' && s.image.size > 0) && !opts.force) {
      return `${op.path} was opened and written after the repair (it has a ${own.map((s) => s.suffix).join('/')} of its own): left as it is; undo --force replaces it, keeping those files in the repair's displaced/ folder`;
    }
    const displaced = join(repairsDir(realDataDir), journal.id, 'displaced');
    for (const { suffix, image } of own) await displace(abs + suffix, join(displaced, op.path + suffix), image.sha256, out);
    if (now && !sameImage(now, op.post)) await displace(abs, join(displaced, op.path), now.sha256, out, false);
    await restoreCopy(realDataDir, journal, op.path, abs);
    out.restored.push(op.path);
  }
  for (const s of info.sidecars) {
    const home = await safePath(realDataDir, s.path);
    if (sameImage(await imageOf(home), s)) continue;
    const kept = await safePath(realDataDir, s.quarantine);
    if (sameImage(await imageOf(kept), s)) {
      await rename(kept, home);
      await fsyncDir(dirname(home));
      await fsyncDir(dirname(kept));
      out.movedBack.push(s.path);
    } else {
      await restoreCopy(realDataDir, journal, s.path, home);
      out.restored.push(s.path);
    }
    faultPoint('put-back-sidecar', s.path);
  }
  return undefined;
}

async function restoreCopy(realDataDir: string, journal: Journal, rel: string, abs: string): Promise<void> {
  const saved = journal.files.find((f) => f.path === rel);
  if (!saved) throw new FsckError(`the journal of repair ${journal.id} has no backup of ${rel}`);
  try {
    await copyFileVerified(join(journal.backupDir, saved.backup), abs, saved.sha256);
  } catch (err) {
    throw new FsckError(`cannot restore ${rel} from ${join(journal.backupDir, saved.backup)}: ${(err as Error).message}`);
  }
  await chmod(abs, saved.mode);
  await utimes(abs, new Date(), new Date(saved.mtimeMs));
  faultPoint('restored-database', rel);
}

/** Keeps a file the undo is about to replace (or make meaningless) in displaced/, verified; removes the original when asked. */
async function displace(abs: string, keep: string, sha256: string, out: Effects, remove = true): Promise<void> {
  if (!(await lstat(abs).catch(() => undefined))) return;
  await mkdir(dirname(keep), { recursive: true });
  await copyFileVerified(abs, keep, sha256);
  out.displaced.push(keep);
  if (remove) await removeFile(abs);
}
