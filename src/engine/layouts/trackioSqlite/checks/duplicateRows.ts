import type { SqliteDatabase } from '../loadSqlite.js';
import { canonicalMetrics } from './canonicalMetrics.js';

export interface DuplicateRow {
  /** The row without log_id that repeats another. */
  rowId: number;
  run: string;
  step: unknown;
  /** The row with a log_id it repeats (kept). */
  keptRowId: number;
}

/**
 * Metrics rows that are a second copy of one logged event, as Trackio 0.36 leaves them: rename_run
 * and move_run delete a run's rows and insert them again without log_id (same run_id, timestamp,
 * step, metrics re-serialised by orjson), so a later replay of the original rows (a client's retry,
 * an inbox fragment: bulk_log's INSERT OR IGNORE dedups by log_id only) brings back the copy with
 * its log_id. Such a pair is one row with a log_id and one without (and without space_id: those
 * re-inserts never set it), equal in run_name, run_id (where the table has it), step, timestamp
 * and metrics (canonicalMetrics: the same values, whatever the key order, spacing, or TEXT/BLOB).
 * Each row without log_id is matched to at most one row with a log_id, so n logged copies and m
 * re-inserted ones leave max(n, m) rows; of the unmatched rows without log_id the lowest ids stay.
 *
 * Not duplicates: rows that all lack a log_id (logging the same values twice at a step is allowed,
 * and nothing tells a copy from a second call), and rows with two distinct log_ids (each log call
 * gets a fresh uuid4 log_id and a replay carries the same one, so two log_ids are two calls).
 * Rows whose run_name differs are not judged either (a replay after a rename brings back the old
 * name: taking either copy out changes what the run is called).
 *
 * Pure selection, read-only: check reports these rows and the repair quarantines exactly these.
 */
export function findDuplicateRows(db: SqliteDatabase, columns: ReadonlySet<string>): DuplicateRow[] {
  if (!columns.has('log_id') || !columns.has('step') || !columns.has('run_name') || !columns.has('metrics') || !columns.has('timestamp')) return [];
  // Both kinds of rows must be there: counted from Trackio's partial log_id index and the table's smallest index.
  const withLogId = db.prepare('SELECT count(*) FROM metrics WHERE log_id IS NOT NULL').pluck().get() as number;
  if (withLogId === 0 || withLogId === (db.prepare('SELECT count(*) FROM metrics').pluck().get() as number)) return [];
  const hasRunId = columns.has('run_id');
  const unsent = columns.has('space_id') ? 'AND x.space_id IS NULL' : '';
  const sameRun = `y.run_name = x.run_name${hasRunId ? ' AND y.run_id IS x.run_id' : ''}`;
  // The places (run, step, timestamp) where a row without log_id has a row with one beside it, found
  // through Trackio's (run, step) index; only their rows are read and compared. `+timestamp` keeps
  // SQLite off the (run, timestamp) index: imported runs share a few timestamps across many steps.
  const places = db
    .prepare(
      `SELECT DISTINCT x.run_name, ${hasRunId ? 'x.run_id' : 'NULL'}, x.step, x.timestamp FROM metrics x
       WHERE x.log_id IS NULL ${unsent}
         AND EXISTS (SELECT 1 FROM metrics y WHERE ${sameRun} AND y.step = x.step AND +y.timestamp IS x.timestamp AND y.log_id IS NOT NULL)`,
    )
    .raw(true)
    .all() as Array<[unknown, unknown, unknown, unknown]>;
  if (places.length === 0) return [];
  const rowsAt = db
    .prepare(
      `SELECT rowid, log_id, ${columns.has('space_id') ? 'space_id' : 'NULL'}, metrics FROM metrics
       WHERE run_name = ?${hasRunId ? ' AND run_id IS ?' : ''} AND step = ? AND +timestamp IS ? ORDER BY rowid`,
    )
    .raw(true);
  const out: DuplicateRow[] = [];
  for (const [run, runId, step, ts] of places) {
    if (typeof step !== 'number' || !Number.isInteger(step) || step < 0) continue; // a bad step is sqlite/json-schema's
    const params = [run, ...(hasRunId ? [runId] : []), step, ts];
    const byContent = new Map<string, { logged: number[]; copies: number[] }>();
    // Copies are usually byte for byte the same: each distinct cell is parsed once.
    const seen = new Map<string, string | undefined>();
    for (const [rowId, logId, spaceId, metrics] of rowsAt.all(...params) as Array<[number, unknown, unknown, unknown]>) {
      if (logId === null && spaceId !== null) continue;
      const raw = Buffer.isBuffer(metrics) ? `b:${metrics.toString('latin1')}` : `${typeof metrics}:${String(metrics)}`;
      if (!seen.has(raw)) seen.set(raw, canonicalMetrics(metrics));
      const key = seen.get(raw);
      if (key === undefined) continue;
      let group = byContent.get(key);
      if (!group) byContent.set(key, (group = { logged: [], copies: [] }));
      (logId === null ? group.copies : group.logged).push(rowId);
    }
    for (const { logged, copies } of byContent.values()) {
      const n = Math.min(logged.length, copies.length);
      for (let i = 0; i < n; i++) out.push({ rowId: copies[copies.length - n + i]!, run: String(run), step, keptRowId: logged[i]! });
    }
  }
  return out.sort((a, b) => a.rowId - b.rowId);
}
