import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { copyFileVerified } from '../../fs/copyFileVerified.js';
import { safePath } from '../../fs/safePath.js';
import { imageOf, removeFile, sameImage } from '../../repair/fileState.js';
import { repairsDir, type JournalOp } from '../../repair/Journal.js';
import type { UndoContext, UndoEffects } from '../../repair/ops/OpKind.js';
import { removeTemps } from './applyDatabaseOp.js';
import { bringsRows } from './applyMergeDatabaseOp.js';
import { undoDatabaseOp } from './undoDatabaseOp.js';

/**
 * Undo of a merge into a database: rows brought into an existing database are undone as any
 * database op is (the verified pre-merge copy back, its -wal/-shm back from quarantine); a project
 * the merge created is removed again, unless it was written since (then it is left; with --force its
 * bytes are kept in the repair's displaced/ folder first). Kept conflicts are the op's `creates`,
 * which undo removes.
 */
export async function undoMergeDatabaseOp(ctx: UndoContext, op: JournalOp): Promise<UndoEffects> {
  if (!bringsRows(op.merge!)) return {};
  if (op.pre) return undoDatabaseOp(ctx, op);
  const abs = await safePath(ctx.realDataDir, op.path);
  await removeTemps(await safePath(ctx.realDataDir, op.temp!));
  if (op.state === 'pending') return {};
  const now = await imageOf(abs);
  if (!now) return {};
  const written = (await imageOf(`${abs}-wal`))?.size ?? 0;
  const effects: UndoEffects = { removed: [op.path] };
  if (!sameImage(now, op.post) || written > 0) {
    if (!ctx.force) return { conflict: `${op.path} was written after the merge created it: left as it is; undo --force removes it, keeping its bytes in the repair's displaced/ folder` };
    effects.displaced = [];
    for (const suffix of ['', '-wal', '-journal']) {
      const image = await imageOf(abs + suffix);
      if (!image) continue;
      const keep = join(repairsDir(ctx.realDataDir), ctx.journal.id, 'displaced', op.path + suffix);
      await mkdir(dirname(keep), { recursive: true });
      await copyFileVerified(abs + suffix, keep, image.sha256);
      effects.displaced.push(keep);
    }
  }
  for (const suffix of ['-wal', '-shm', '-journal', '']) await removeFile(abs + suffix);
  return effects;
}
