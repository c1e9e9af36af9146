import { commandLine } from '../../commandLine.js';
import { dirname } from 'node:path';
import { FsckError } from '../../errors.js';
import { copyFileVerified } from '../../fs/copyFileVerified.js';
import { faultPoint } from '../../fs/faultPoint.js';
import { safePath } from '../../fs/safePath.js';
import { imageOf, sameImage } from '../fileState.js';
import { saveJournal, type JournalOp } from '../Journal.js';
import { mkdirDurable } from '../stateDir.js';
import type { OpContext, OpKind } from './OpKind.js';
import { restoreFromRepairBackup } from './restoreFromRepairBackup.js';

/** restore-from-backup: a verified copy from a snapshot replaces the damaged file. */
export const copyInOp: OpKind = {
  kind: 'copy-in',
  claims: (steps) => steps.some((s) => s.action === 'restore-from-backup' && s.source !== undefined),
  build(base, steps) {
    const restore = steps.find((s) => s.action === 'restore-from-backup' && s.source)!;
    return { ...base, kind: 'copy-in', steps: [restore.id], pre: restore.pre, post: { sha256: restore.source!.sha256, size: restore.source!.size }, source: restore.source, creates: [] };
  },
  backupSet: (op) => (op.pre ? [{ path: op.path, ...op.pre }] : []),
  apply: applyCopyIn,
  undo: restoreFromRepairBackup,
};

async function applyCopyIn(ctx: OpContext, op: JournalOp): Promise<void> {
  const { realDataDir, journal } = ctx;
  const abs = await safePath(realDataDir, op.path);
  const now = await imageOf(abs);
  if (sameImage(now, op.post)) return ctx.markDone(op);
  if (op.pre ? !sameImage(now, op.pre) : now !== undefined) {
    throw new FsckError(`${op.path} changed since the repair was planned; the repair stops here (undo: ${commandLine('undo', realDataDir)})`);
  }
  op.state = 'prepared';
  await saveJournal(realDataDir, journal, `prepared ${op.path}`);
  await mkdirDurable(realDataDir, dirname(op.path));
  await copyFileVerified(op.source!.path, abs, op.source!.sha256);
  faultPoint('copied-in', op.path);
  await ctx.markDone(op);
}
