import type { PlanStep } from './RepairPlan.js';
import type { JournalOp } from './Journal.js';
import { opKinds } from './ops/opKinds.js';

export { BAD_LINES_SUFFIX, WHY_SUFFIX } from '../fs/ownNames.js';

/**
 * Groups the chosen steps by path into ops, one atomic change each. A moved run takes precedence
 * over every fix inside it; otherwise the first op kind that claims a path's steps builds its op, so
 * the line fixes of one file merge into one rewrite, replaced once, every edit in the coordinates
 * the plan measured.
 */
export async function buildOps(steps: PlanStep[], repairId: string, quarantineDir: string): Promise<JournalOp[]> {
  const kinds = await opKinds();
  const byPath = new Map<string, PlanStep[]>();
  for (const s of steps) {
    // Keeping the other copy's version (merge) writes only to quarantine: its own op beside any change of the file.
    const key = s.action === 'keep-theirs' ? `${s.path}\0theirs` : s.path;
    const list = byPath.get(key);
    if (list) list.push(s);
    else byPath.set(key, [s]);
  }
  const movedRuns = steps.filter((s) => s.action === 'quarantine-run').map((s) => s.path + '/');
  const ops: JournalOp[] = [];
  for (const [path, group] of [...byPath].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (movedRuns.some((r) => path.startsWith(r))) continue;
    const base = { id: ops.length + 1, path: group[0]!.path, steps: group.map((s) => s.id), state: 'pending' as const };
    const op = kinds.find((k) => k.claims(group))?.build(base, group, { repairId, quarantineDir });
    if (op) ops.push(op);
  }
  return ops.map((op, i) => ({ ...op, id: i + 1 }));
}
