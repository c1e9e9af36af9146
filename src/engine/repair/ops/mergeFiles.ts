import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { commandLine } from '../../commandLine.js';
import { FsckError } from '../../errors.js';
import { copyFileVerified } from '../../fs/copyFileVerified.js';
import { faultPoint } from '../../fs/faultPoint.js';
import { safePath } from '../../fs/safePath.js';
import { imageOf, removeCopyTemps, removeFile, sameImage } from '../fileState.js';
import { repairsDir, saveJournal, type JournalOp } from '../Journal.js';
import { mkdirDurable } from '../stateDir.js';
import type { OpContext, OpKind, UndoContext, UndoEffects } from './OpKind.js';
import { removeNewDirs } from './removeNewDirs.js';

/**
 * merge-file: the files the other copy has and DIR lacks below one folder (a run, a project's
 * media), copied in, each verified against the SHA-256 the plan read. One op for the folder, not
 * one per file: a run of thousands of media files costs two journal writes, not thousands. Each
 * file tells by itself whether it was copied (absent, or the planned bytes), so a killed merge is
 * finished by running it again; undo removes exactly those files and the folders they needed.
 */
export const mergeFilesOp: OpKind = {
  kind: 'merge-files',
  claims: (steps) => steps.some((s) => s.action === 'merge-file' && s.copies !== undefined && s.merge !== undefined),
  build(base, steps) {
    const step = steps.find((s) => s.action === 'merge-file' && s.copies && s.merge)!;
    return { ...base, steps: [step.id], kind: 'merge-files', pre: null, merge: { from: step.merge!.from }, copies: step.copies, ...(step.newDirs?.length ? { newDirs: step.newDirs } : {}), creates: [] };
  },
  backupSet: () => [],
  apply: applyMergeFiles,
  undo: undoMergeFiles,
};

async function applyMergeFiles(ctx: OpContext, op: JournalOp): Promise<void> {
  const { realDataDir, journal } = ctx;
  // Recorded before the first copy: undo then knows files of this op may be there.
  if (op.state === 'pending') {
    op.state = 'prepared';
    await saveJournal(realDataDir, journal, `prepared ${op.path}`);
  }
  for (const c of op.copies ?? []) {
    const abs = await safePath(realDataDir, c.path);
    await removeCopyTemps(abs);
    const now = await imageOf(abs);
    if (sameImage(now, c)) continue;
    if (now) throw new FsckError(`${c.path} appeared since the merge was planned (with other bytes); the merge stops here (undo: ${commandLine('undo', realDataDir)})`);
    await mkdirDurable(realDataDir, dirname(c.path));
    await copyFileVerified(join(op.merge!.from, c.path), abs, c.sha256).catch((err: Error) => {
      throw new FsckError(`cannot copy ${c.path} from the other copy (${err.message}); the merge stops here: plan again, or undo (${commandLine('undo', realDataDir)})`);
    });
    faultPoint('copied-in', c.path);
  }
  await ctx.markDone(op);
}

async function undoMergeFiles(ctx: UndoContext, op: JournalOp): Promise<UndoEffects> {
  const effects: Required<Pick<UndoEffects, 'removed' | 'displaced'>> = { removed: [], displaced: [] };
  if (op.state === 'pending') return {};
  for (const c of [...(op.copies ?? [])].reverse()) {
    const abs = await safePath(ctx.realDataDir, c.path).catch(() => undefined);
    if (!abs) continue;
    await removeCopyTemps(abs);
    const now = await imageOf(abs);
    if (!now) continue;
    if (!sameImage(now, c)) {
      if (!ctx.force) return { ...effects, conflict: `${c.path} changed after the merge copied it in: left as it is; undo --force removes it, keeping its bytes in the repair's displaced/ folder` };
      const keep = join(repairsDir(ctx.realDataDir), ctx.journal.id, 'displaced', c.path);
      await mkdir(dirname(keep), { recursive: true });
      await copyFileVerified(abs, keep, now.sha256);
      effects.displaced.push(keep);
    }
    await removeFile(abs);
    effects.removed.push(c.path);
  }
  await removeNewDirs(ctx.realDataDir, op.newDirs);
  return effects;
}
