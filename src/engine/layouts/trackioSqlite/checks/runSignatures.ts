import { createHash } from 'node:crypto';
import type { SqliteDatabase } from '../../../sqlite/loadSqlite.js';

/**
 * One fingerprint per run of a project: its name, run_id, row count, first and last step, and the
 * bytes of its first row (timestamp and metrics). move_run copies a run's rows as they are, so the
 * two copies an interrupted move leaves have equal fingerprints; unrelated runs that share a name
 * (run-0 in two projects) differ in their timestamps and values. Keyed by fingerprint, value: run name.
 */
export function runSignatures(db: SqliteDatabase, columns: ReadonlySet<string> | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (!columns?.has('step') || !columns.has('run_name')) return out;
  const runId = columns.has('run_id') ? 'run_id' : 'NULL';
  const groups = db.prepare(`SELECT run_name, ${runId}, count(*), min(step), max(step), min(rowid) FROM metrics GROUP BY run_name, ${runId}`).raw(true).all() as Array<[unknown, unknown, number, unknown, unknown, number]>;
  const first = db.prepare('SELECT timestamp, CAST(metrics AS BLOB) FROM metrics WHERE rowid = ?').raw(true);
  for (const [run, id, count, min, max, firstRow] of groups) {
    const [timestamp, metrics] = first.get(firstRow) as [unknown, Buffer | null];
    const h = createHash('sha256');
    h.update(JSON.stringify([run, id, count, min, max, timestamp]));
    if (metrics) h.update(metrics);
    out.set(h.digest('hex'), String(run));
  }
  return out;
}
