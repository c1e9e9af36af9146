import { dirname } from 'node:path';
import { copyFileVerified } from '../../fs/copyFileVerified.js';
import { faultPoint } from '../../fs/faultPoint.js';
import { safePath } from '../../fs/safePath.js';
import { imageOf, removeCopyTemps, sameImage } from '../fileState.js';
import { theirsPath, type JournalOp } from '../Journal.js';
import { mkdirDurable } from '../stateDir.js';
import type { OpContext, OpKind } from './OpKind.js';

/**
 * merge: the other copy's version of a file that differs from this one is kept in
 * quarantine/<id>/theirs/<path>, verified by SHA-256, so both versions are kept and neither is
 * overwritten. The data dir's own file is not touched (nothing to back up); undo removes the copy.
 */
export const keepTheirsOp: OpKind = {
  kind: 'keep-theirs',
  claims: (steps) => steps.every((s) => s.action === 'keep-theirs' && s.source !== undefined),
  build(base, steps, { quarantineDir }) {
    const source = steps[0]!.source!;
    const kept = theirsPath(quarantineDir, base.path);
    return { ...base, kind: 'keep-theirs', pre: null, post: { sha256: source.sha256, size: source.size }, source, quarantine: kept, creates: [kept] };
  },
  backupSet: () => [],
  apply: applyKeepTheirs,
  // The copy is among the op's `creates`, which undo removes; the data dir's file never changed.
  undo: async () => ({}),
};

async function applyKeepTheirs(ctx: OpContext, op: JournalOp): Promise<void> {
  const dst = await safePath(ctx.realDataDir, op.quarantine!);
  await removeCopyTemps(dst);
  if (!sameImage(await imageOf(dst), op.post)) {
    await mkdirDurable(ctx.realDataDir, dirname(op.quarantine!));
    // Verified against the SHA-256 the plan read: a copy B changed since is refused, not kept.
    await copyFileVerified(op.source!.path, dst, op.source!.sha256);
    faultPoint('kept-theirs', op.quarantine);
  }
  await ctx.markDone(op);
}
