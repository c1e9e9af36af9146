import { saveJournal, type Journal, type JournalOp } from './Journal.js';
import type { OpContext } from './ops/OpKind.js';
import { opKindOf } from './ops/opKinds.js';
import { writeWhy } from './ops/writeWhy.js';

/**
 * Applies one op, or finishes it after a crash. Every op kind first looks at the file itself: content
 * equal to the op's post-image means it already happened, equal to its pre-image means it has not,
 * anything else means someone else changed the file, and the repair stops without touching it.
 */
export async function applyOp(realDataDir: string, journal: Journal, op: JournalOp): Promise<void> {
  const ctx: OpContext = {
    realDataDir,
    journal,
    markDone: async (o) => {
      o.state = 'done';
      await saveJournal(realDataDir, journal, `done ${o.path}`);
    },
    writeWhy: (rel, o, extra) => writeWhy(realDataDir, rel, journal, o, extra),
  };
  await (await opKindOf(op)).apply(ctx, op);
}
