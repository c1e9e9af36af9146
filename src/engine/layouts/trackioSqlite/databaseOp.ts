import { WHY_SUFFIX, ownTempBeside } from '../../fs/ownNames.js';
import type { FixAction } from '../../Fix.js';
import type { OpKind } from '../../repair/ops/OpKind.js';

const DATABASE_ACTIONS: ReadonlySet<FixAction> = new Set(['quarantine-rows', 'salvage-database', 'reindex-database', 'quarantine-duplicate-rows', 'rewrite-nonfinite-cells']);
import { applyDatabaseOpIn } from './applyDatabaseOp.js';
import { unplacedRowsFile } from './salvage/unplacedRowsFile.js';
import { undoDatabaseOp } from './undoDatabaseOp.js';

/**
 * One op per SQLite database: the chosen fixes (salvage, quarantine of rows) run together on a fresh
 * copy (`temp`), which then replaces the database in one rename (applyDatabaseOp.ts).
 */
export const databaseOp: OpKind = {
  kind: 'database',
  claims: (steps) => steps.some((s) => DATABASE_ACTIONS.has(s.action)),
  build(base, allSteps, { repairId, quarantineDir }) {
    const steps = allSteps.filter((s) => DATABASE_ACTIONS.has(s.action));
    const salvage = steps.some((s) => s.action === 'salvage-database');
    const snapshot = steps.find((s) => s.action === 'salvage-database')?.source;
    const quarantineRows = steps.some((s) => s.action === 'quarantine-rows');
    const path = base.path;
    const duplicateRows = steps.some((s) => s.action === 'quarantine-duplicate-rows');
    const rowsFile = quarantineRows || duplicateRows ? `${quarantineDir}/${path}.rows.jsonl` : undefined;
    const original = salvage ? `${quarantineDir}/${path}` : undefined;
    const why = `${quarantineDir}/${path}${WHY_SUFFIX}`;
    return {
      ...base,
      steps: steps.map((s) => s.id),
      kind: 'database',
      pre: steps[0]!.pre,
      temp: ownTempBeside(path, repairId),
      database: {
        salvage,
        quarantineRows,
        ...(duplicateRows ? { duplicateRows: true } : {}),
        ...(steps.some((s) => s.action === 'reindex-database') ? { reindex: true } : {}),
        ...(steps.some((s) => s.action === 'rewrite-nonfinite-cells') ? { nonfinite: true } : {}),
        sidecars: (steps[0]!.sidecars ?? []).map((s) => ({ ...s, quarantine: `${quarantineDir}/${s.path}` })),
        rowsFile,
        original,
        ...(snapshot ? { snapshot } : {}),
      },
      // The original database stays in quarantine after a salvage; undo restores the verified backup copy instead.
      creates: [why, ...(rowsFile ? [rowsFile] : []), ...(original ? [original, unplacedRowsFile(original)] : [])],
    };
  },
  // A database's -wal and -journal hold committed (or to-be-rolled-back) data: its exact state is the set of files.
  backupSet: (op) => [...(op.pre ? [{ path: op.path, ...op.pre }] : []), ...(op.database?.sidecars ?? []).map((s) => ({ path: s.path, sha256: s.sha256, size: s.size }))],
  apply: applyDatabaseOpIn,
  undo: undoDatabaseOp,
};
