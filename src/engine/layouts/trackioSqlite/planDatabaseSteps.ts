import { join } from 'node:path';
import type { Finding } from '../../finding.js';
import { imageOf } from '../../repair/fileState.js';
import type { PlanStep } from '../../repair/RepairPlan.js';
import { duplicateRowsStep } from './checks/duplicateRowsStep.js';
import { findSnapshotDatabase } from './salvage/findSnapshotDatabase.js';

/**
 * The repair steps for one project database: salvage (sqlite/integrity, sqlite/read-error) and
 * quarantine of rows (sqlite/invalid-json, sqlite/json-schema), as two steps the user may choose
 * apart; chosen together they run as one rebuild. Each names the database bytes and the
 * -wal/-shm/-journal it expects to find: the database's state is that set of files, and all of
 * them are backed up (bytes, verified by SHA-256) before anything changes.
 */
export async function planDatabaseSteps(realDataDir: string, path: string, findings: Finding[], backupsDir?: string): Promise<Array<Omit<PlanStep, 'id'>>> {
  const pre = await imageOf(join(realDataDir, path));
  if (!pre) return [];
  const sidecars: NonNullable<PlanStep['sidecars']> = [];
  for (const suffix of ['-wal', '-shm', '-journal']) {
    const image = await imageOf(join(realDataDir, path + suffix));
    if (image) sidecars.push({ path: path + suffix, ...image });
  }
  const salvage = findings.filter((f) => f.fix?.action === 'salvage-database');
  const rows = findings.filter((f) => f.fix?.action === 'quarantine-rows');
  const steps: Array<Omit<PlanStep, 'id'>> = [];
  const base = { run: null, path, edits: [], pre, sidecars, safe: false };
  if (salvage.length > 0) {
    // Rows on damaged pages come back from the newest verified snapshot's copy, when `backup` made one.
    const snapshot = backupsDir ? await findSnapshotDatabase(backupsDir, path) : undefined;
    const lost = snapshot ? `rows on damaged pages come back from the copy in ${snapshot.label} (SHA-256 verified), never twice` : 'rows on damaged pages are lost';
    steps.push({
      ...base,
      action: 'salvage-database',
      findings: salvage,
      description: `copy every readable row into a fresh database with the same schema, which replaces ${path}; ${lost}; the original is kept in quarantine/`,
      ...(snapshot ? { source: snapshot } : {}),
    });
  }
  const reindex = findings.filter((f) => f.fix?.action === 'reindex-database');
  if (reindex.length > 0) {
    steps.push({
      ...base,
      action: 'reindex-database',
      safe: true,
      findings: reindex,
      description: `rebuild the indexes of ${path} from its tables (REINDEX) in a fresh copy, which replaces it; no row changes (a salvage chosen with it rebuilds them anyway)`,
    });
  }
  if (rows.length > 0) {
    const perTable = new Map<string, number>();
    for (const f of rows) perTable.set(f.table ?? '?', (perTable.get(f.table ?? '?') ?? 0) + 1 + (f.more ?? 0));
    const listed = [...perTable].map(([t, n]) => `${n} in ${t}`).join(', ');
    steps.push({
      ...base,
      action: 'quarantine-rows',
      findings: rows,
      description: `write the rows whose JSON is bad (${listed}) to quarantine/ as JSONL with their table and id, then delete them in one transaction`,
    });
  }
  const nonfinite = findings.filter((f) => f.fix?.action === 'rewrite-nonfinite-cells');
  if (nonfinite.length > 0) {
    const cells = nonfinite.reduce((n, f) => n + 1 + (f.more ?? 0), 0);
    steps.push({
      ...base,
      action: 'rewrite-nonfinite-cells',
      findings: nonfinite,
      description: `quote the bare NaN/Infinity tokens of ${cells} cell${cells === 1 ? '' : 's'} into the strings Trackio 0.5+ reads ("NaN", "Infinity", "-Infinity"), every other byte unchanged, in a fresh copy of ${path}, which replaces it`,
    });
  }
  const duplicates = findings.filter((f) => f.fix?.action === 'quarantine-duplicate-rows');
  if (duplicates.length > 0) steps.push({ ...base, ...duplicateRowsStep(path, duplicates) });
  return steps;
}
