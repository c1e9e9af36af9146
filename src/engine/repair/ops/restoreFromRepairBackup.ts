import { chmod, mkdir, utimes } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { FsckError } from '../../errors.js';
import { copyFileVerified } from '../../fs/copyFileVerified.js';
import { faultPoint } from '../../fs/faultPoint.js';
import { safePath } from '../../fs/safePath.js';
import { imageOf, removeCopyTemps, removeFile, sameImage } from '../fileState.js';
import { repairsDir, type JournalOp } from '../Journal.js';
import type { UndoContext, UndoEffects } from './OpKind.js';

/**
 * Undo of an op that replaced one file's bytes (rewrite, copy-in): the file goes back to its verified
 * pre-repair copy, unless someone changed it after the repair (then it is left, or with force its
 * current bytes are kept in displaced/ first).
 */
export async function restoreFromRepairBackup(ctx: UndoContext, op: JournalOp): Promise<UndoEffects> {
  const { realDataDir, journal } = ctx;
  const abs = await safePath(realDataDir, op.path);
  await removeCopyTemps(abs);
  // The rename (or copy-in) of an op happens only after it is recorded as prepared: a pending op changed nothing.
  if (op.state === 'pending') return {};
  const now = await imageOf(abs);
  if (op.pre ? sameImage(now, op.pre) : now === undefined) return {}; // never applied, or already put back
  const effects: UndoEffects = {};
  if (!sameImage(now, op.post)) {
    if (!ctx.force) {
      return { conflict: `${op.path} changed after the repair (it is neither the repaired nor the original content): left as it is; undo --force replaces it, keeping its current bytes in the repair's displaced/ folder` };
    }
    if (now) {
      const keep = join(repairsDir(realDataDir), journal.id, 'displaced', op.path);
      await mkdir(dirname(keep), { recursive: true });
      await copyFileVerified(abs, keep, now.sha256);
      effects.displaced = [keep];
    }
  }
  if (!op.pre) {
    await removeFile(abs);
    return { ...effects, removed: [op.path] };
  }
  const saved = journal.files.find((f) => f.path === op.path);
  if (!saved) throw new FsckError(`the journal of repair ${journal.id} has no backup of ${op.path}`);
  try {
    await copyFileVerified(join(journal.backupDir, saved.backup), abs, saved.sha256);
  } catch (err) {
    throw new FsckError(`cannot restore ${op.path} from ${join(journal.backupDir, saved.backup)}: ${(err as Error).message}`);
  }
  await chmod(abs, saved.mode);
  await utimes(abs, new Date(), new Date(saved.mtimeMs));
  faultPoint('undo-restored', op.path);
  return { ...effects, restored: [op.path] };
}
