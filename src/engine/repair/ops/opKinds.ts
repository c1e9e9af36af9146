import { FsckError } from '../../errors.js';
import { LAYOUTS } from '../../layouts/index.js';
import type { JournalOp } from '../Journal.js';
import { copyInOp } from './copyIn.js';
import { keepTheirsOp } from './keepTheirs.js';
import { mergeFilesOp } from './mergeFiles.js';
import { moveOp } from './move.js';
import type { OpKind } from './OpKind.js';
import { rewriteOp } from './rewrite.js';

/**
 * Every op kind, in the order they are asked to claim a path's steps: a move makes every other fix
 * of the item moot; a layout's own kinds (a database rebuild) come next; then a copy from a backup;
 * then line edits.
 */
export async function opKinds(): Promise<OpKind[]> {
  const fromLayouts = await Promise.all(LAYOUTS.flatMap((l) => Object.values(l.opKinds).map((load) => load())));
  return [moveOp, keepTheirsOp, mergeFilesOp, ...fromLayouts, copyInOp, rewriteOp];
}

/** The kind that applies and undoes `op` (journals read back name their kind). */
export async function opKindOf(op: Pick<JournalOp, 'kind' | 'path'>): Promise<OpKind> {
  const kind = (await opKinds()).find((k) => k.kind === op.kind);
  if (!kind) throw new FsckError(`unknown repair op kind ${JSON.stringify(op.kind)} for ${op.path}`);
  return kind;
}
