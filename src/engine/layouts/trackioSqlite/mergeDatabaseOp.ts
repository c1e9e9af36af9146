import { theirsPath } from '../../repair/Journal.js';
import type { OpKind } from '../../repair/ops/OpKind.js';
import { ownTempBeside } from '../../fs/ownNames.js';
import { applyMergeDatabaseOp, bringsRows } from './applyMergeDatabaseOp.js';
import { undoMergeDatabaseOp } from './undoMergeDatabaseOp.js';

/**
 * merge into one project database: B's rows that DIR lacks inserted into a fresh copy of DIR's
 * database (or, for a project only B has, B's whole database copied by SQLite's backup API), which
 * replaces it in one rename as the `database` op does; B's rows that differ from DIR's are written
 * to quarantine/<id>/theirs/<project>.db.rows.jsonl. With only conflicts the database is not touched.
 */
export const mergeDatabaseOp: OpKind = {
  kind: 'merge-database',
  claims: (steps) => steps.some((s) => s.action === 'merge-rows' && s.merge !== undefined),
  build(base, allSteps, { repairId, quarantineDir }) {
    const step = allSteps.find((s) => s.action === 'merge-rows' && s.merge)!;
    const merge = step.merge!;
    const rowsFile = `${theirsPath(quarantineDir, base.path)}.rows.jsonl`;
    const conflicts = Object.values(merge.conflicts ?? {}).some((ids) => ids.length > 0);
    const changes = bringsRows(merge);
    return {
      ...base,
      steps: [step.id],
      kind: 'merge-database',
      pre: changes ? step.pre : null,
      merge,
      ...(changes ? { temp: ownTempBeside(base.path, repairId) } : {}),
      database: {
        salvage: false,
        quarantineRows: false,
        sidecars: changes ? (step.sidecars ?? []).map((s) => ({ ...s, quarantine: `${quarantineDir}/${s.path}` })) : [],
        ...(conflicts ? { rowsFile } : {}),
      },
      creates: conflicts ? [rowsFile] : [],
    };
  },
  backupSet: (op) => [...(op.pre ? [{ path: op.path, ...op.pre }] : []), ...(op.database?.sidecars ?? []).map((s) => ({ path: s.path, sha256: s.sha256, size: s.size }))],
  apply: applyMergeDatabaseOp,
  undo: undoMergeDatabaseOp,
};
