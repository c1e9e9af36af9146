import { commandLine } from '../../commandLine.js';
import { lstat, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import { FsckError } from '../../errors.js';
import { faultPoint } from '../../fs/faultPoint.js';
import { fsyncDir } from '../../fs/fsyncDir.js';
import { WHY_SUFFIX } from '../../fs/ownNames.js';
import { safePath } from '../../fs/safePath.js';
import { imageOf, sameImage } from '../fileState.js';
import type { JournalOp } from '../Journal.js';
import { mkdirDurable } from '../stateDir.js';
import type { OpContext, OpKind, UndoEffects } from './OpKind.js';

/** quarantine-file and quarantine-run: the item moves intact, by one rename, to the repair's quarantine folder. */
export const moveOp: OpKind = {
  kind: 'move',
  claims: (steps) => steps.some((s) => s.action === 'quarantine-run' || s.action === 'quarantine-file'),
  build(base, steps, { quarantineDir }) {
    const mover = steps.find((s) => s.action === 'quarantine-run' || s.action === 'quarantine-file')!;
    const quarantine = `${quarantineDir}/${base.path}`;
    return { ...base, kind: 'move', steps: [mover.id], pre: mover.pre, quarantine, creates: [quarantine + WHY_SUFFIX] };
  },
  // A moved item keeps its bytes (in quarantine): the backup holds a moved file anyway, as a second copy.
  backupSet: (op) => (op.pre ? [{ path: op.path, ...op.pre }] : []),
  apply: applyMove,
  undo: (ctx, op) => moveBack(ctx.realDataDir, op),
};

async function applyMove(ctx: OpContext, op: JournalOp): Promise<void> {
  const { realDataDir } = ctx;
  const src = await safePath(realDataDir, op.path);
  const dst = await safePath(realDataDir, op.quarantine!);
  const s = await lstat(src).catch(() => undefined);
  const d = await lstat(dst).catch(() => undefined);
  if (!s && d) return ctx.markDone(op); // killed after the rename
  if (!s) throw new FsckError(`${op.path} is gone and is not in ${op.quarantine}: something else moved it; the repair stops here`);
  if (d) throw new FsckError(`${op.quarantine} already exists: the repair will not overwrite it`);
  if (s.isSymbolicLink()) throw new FsckError(`${op.path} is a symbolic link: not moved`);
  if (op.pre) {
    const now = await imageOf(src);
    if (!sameImage(now, op.pre)) throw new FsckError(`${op.path} changed since the repair was planned; the repair stops here (undo: ${commandLine('undo', realDataDir)})`);
  } else if (!s.isDirectory()) {
    throw new FsckError(`${op.path} is no longer a directory; the repair stops here`);
  }
  await mkdirDurable(realDataDir, dirname(op.quarantine!));
  await ctx.writeWhy(op.creates[0]!, op, { item: op.quarantine });
  faultPoint('recorded-why', op.path);
  await rename(src, dst);
  await fsyncDir(dirname(dst));
  await fsyncDir(dirname(src));
  faultPoint('moved-to-quarantine', op.path);
  await ctx.markDone(op);
}

async function moveBack(realDataDir: string, op: JournalOp): Promise<UndoEffects> {
  let src: string, dst: string;
  try {
    src = await safePath(realDataDir, op.path);
    dst = await safePath(realDataDir, op.quarantine!);
  } catch (err) {
    return { conflict: `${op.path}: ${(err as Error).message}` };
  }
  const s = await lstat(src).catch(() => undefined);
  const d = await lstat(dst).catch(() => undefined);
  if (s && !d) return {}; // never moved, or already back
  if (s && d) return { conflict: `${op.path} exists again and ${op.quarantine} too: both left as they are` };
  if (!d) return { conflict: `${op.quarantine} is gone: ${op.path} cannot be put back` };
  await rename(dst, src);
  await fsyncDir(dirname(src));
  await fsyncDir(dirname(dst));
  faultPoint('undo-moved-back', op.path);
  return { movedBack: [op.path] };
}
