import { basename, dirname } from 'node:path';
import type { Edit, PlanStep } from './RepairPlan.js';
import type { JournalOp } from './Journal.js';
import { TEMP_PREFIX } from '../io/writeFileAtomic.js';
import { unplacedRowsFile } from '../layouts/trackioSqlite/salvage/unplacedRowsFile.js';

/** Suffix of the file that receives a JSONL file's quarantined lines, beside its record of why. */
export const BAD_LINES_SUFFIX = '.bad-lines';
export const WHY_SUFFIX = '.why.json';

/**
 * Groups the chosen steps by path into ops, one atomic change each. A moved run or file takes
 * precedence over line fixes inside it; the line fixes of one file merge into one rewrite, so the
 * file is replaced once and every edit keeps the coordinates the plan measured.
 */
export function buildOps(steps: PlanStep[], repairId: string, quarantineDir: string): JournalOp[] {
  const byPath = new Map<string, PlanStep[]>();
  for (const s of steps) {
    const list = byPath.get(s.path);
    if (list) list.push(s);
    else byPath.set(s.path, [s]);
  }
  const movedRuns = steps.filter((s) => s.action === 'quarantine-run').map((s) => s.path + '/');
  const ops: JournalOp[] = [];
  for (const [path, group] of [...byPath].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (movedRuns.some((r) => path.startsWith(r))) continue;
    const ids = group.map((s) => s.id);
    const base = { id: ops.length + 1, path, steps: ids, state: 'pending' as const };
    const mover = group.find((s) => s.action === 'quarantine-run' || s.action === 'quarantine-file');
    if (mover) {
      const quarantine = `${quarantineDir}/${path}`;
      ops.push({ ...base, kind: 'move', steps: [mover.id], pre: mover.pre, quarantine, creates: [quarantine + WHY_SUFFIX] });
      continue;
    }
    const database = group.filter((s) => s.action === 'quarantine-rows' || s.action === 'salvage-database');
    if (database.length > 0) {
      ops.push(databaseOp({ ...base, steps: database.map((s) => s.id) }, database, repairId, quarantineDir));
      continue;
    }
    const restore = group.find((s) => s.action === 'restore-from-backup' && s.source);
    if (restore) {
      ops.push({ ...base, kind: 'copy-in', steps: [restore.id], pre: restore.pre, post: { sha256: restore.source!.sha256, size: restore.source!.size }, source: restore.source, creates: [] });
      continue;
    }
    const edits = mergeEdits(group.flatMap((s) => s.edits));
    if (edits.length === 0) continue;
    const hasQuarantine = edits.some((e) => e.kind === 'quarantine');
    const bad = `${quarantineDir}/${path}${BAD_LINES_SUFFIX}`;
    ops.push({
      ...base,
      kind: 'rewrite',
      pre: group[0]!.pre,
      edits,
      quarantine: hasQuarantine ? bad : undefined,
      quarantineTemp: hasQuarantine ? `${dirname(bad)}/${TEMP_PREFIX}${basename(bad)}-${repairId}` : undefined,
      creates: hasQuarantine ? [bad, bad + WHY_SUFFIX] : [],
      temp: `${dirname(path)}/${TEMP_PREFIX}${basename(path)}-${repairId}`,
    });
  }
  return ops.map((op, i) => ({ ...op, id: i + 1 }));
}

/**
 * One op per SQLite database: the chosen fixes (salvage, quarantine of rows) run together on a
 * fresh copy (`temp`), which then replaces the database in one rename (src/engine/sqlite/applyDatabaseOp.ts).
 */
function databaseOp(base: Pick<JournalOp, 'id' | 'path' | 'steps' | 'state'>, steps: PlanStep[], repairId: string, quarantineDir: string): JournalOp {
  const salvage = steps.some((s) => s.action === 'salvage-database');
  const quarantineRows = steps.some((s) => s.action === 'quarantine-rows');
  const path = base.path;
  const rowsFile = quarantineRows ? `${quarantineDir}/${path}.rows.jsonl` : undefined;
  const original = salvage ? `${quarantineDir}/${path}` : undefined;
  const why = `${quarantineDir}/${path}${WHY_SUFFIX}`;
  return {
    ...base,
    kind: 'database',
    pre: steps[0]!.pre,
    temp: `${dirname(path) === '.' ? '' : `${dirname(path)}/`}${TEMP_PREFIX}${basename(path)}-${repairId}`,
    database: {
      salvage,
      quarantineRows,
      sidecars: (steps[0]!.sidecars ?? []).map((s) => ({ ...s, quarantine: `${quarantineDir}/${s.path}` })),
      rowsFile,
      original,
    },
    // The original database stays in quarantine after a salvage; undo restores the verified backup copy instead.
    creates: [why, ...(rowsFile ? [rowsFile] : []), ...(original ? [original, unplacedRowsFile(original)] : [])],
  };
}

/** Sorted edits; a newline appended after a last line that another edit removes would leave a blank line, so it goes. */
function mergeEdits(edits: Edit[]): Edit[] {
  const sorted = [...edits].sort((a, b) => a.start - b.start || (a.kind === 'insert' ? -1 : 1));
  return sorted.filter((e) => e.kind !== 'insert' || !sorted.some((o) => (o.kind === 'cut' || o.kind === 'quarantine') && o.end === e.start && o.start < e.start));
}
