import { createHash } from 'node:crypto';
import type { SqliteDatabase } from '../loadSqlite.js';

/**
 * One fingerprint per run of a project: its name, run_id, row count, first and last step, and the
 * bytes of its first row (timestamp and metrics). move_run copies a run's rows as they are, so the
 * two copies an interrupted move leaves have equal fingerprints; unrelated runs that share a name
 * (run-0 in two projects) differ in their timestamps and values. Keyed by fingerprint, value: run name.
 */
export function runSignatures(db: SqliteDatabase, columns: ReadonlySet<string> | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (!columns?.has('step') || !columns.has('run_name')) return out;
  // 0.24+: grouped by run_id through Trackio's (run_id, step) index, without reading the rows;
  // the name comes from the run's first row, read anyway. Older databases: by run_name.
  const key = columns.has('run_id') ? 'run_id' : 'run_name';
  const groups = db.prepare(`SELECT ${key}, count(*), min(step), max(step), min(rowid) FROM metrics GROUP BY ${key}`).raw(true).all() as Array<[unknown, number, unknown, unknown, number]>;
  const first = db.prepare('SELECT run_name, timestamp, CAST(metrics AS BLOB) FROM metrics WHERE rowid = ?').raw(true);
  for (const [id, count, min, max, firstRow] of groups) {
    const [run, timestamp, metrics] = first.get(firstRow) as [unknown, unknown, Buffer | null];
    const h = createHash('sha256');
    h.update(JSON.stringify([run, key === 'run_id' ? id : null, count, min, max, timestamp]));
    if (metrics) h.update(metrics);
    out.set(h.digest('hex'), String(run));
  }
  return out;
}
