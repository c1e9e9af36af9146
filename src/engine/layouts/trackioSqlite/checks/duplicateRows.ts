import type { SqliteDatabase } from '../loadSqlite.js';

export interface DuplicateRow {
  /** The row without log_id that repeats another. */
  rowId: number;
  run: string;
  step: unknown;
  /** The row with a log_id it repeats (kept). */
  keptRowId: number;
}

/**
 * Metrics rows without log_id that repeat a row with one: same run (and run_id where the table has
 * it), same step, the same metrics bytes. That is what Trackio's rename and move leave (they
 * re-insert a run's rows without log_id) once the original rows are replayed. Rows that all lack a
 * log_id are not judged: logging the same values twice at one step is allowed. Each candidate is
 * looked up through Trackio's (run, step) index; a database whose rows have no log_id at all costs
 * one index probe. Pure selection: the same rows a repair would take out, if one is built for it.
 */
export function findDuplicateRows(db: SqliteDatabase, columns: ReadonlySet<string>): DuplicateRow[] {
  if (!columns.has('log_id') || !columns.has('step')) return [];
  // Both kinds of rows must be there: counted from Trackio's partial log_id index and the table's smallest index.
  const withLogId = db.prepare('SELECT count(*) FROM metrics WHERE log_id IS NOT NULL').pluck().get() as number;
  if (withLogId === 0 || withLogId === (db.prepare('SELECT count(*) FROM metrics').pluck().get() as number)) return [];
  const sameRun = columns.has('run_id') ? 'y.run_id = x.run_id AND y.run_name = x.run_name' : 'y.run_name = x.run_name';
  const sql = `SELECT rowid, run_name, step, kept FROM (
      SELECT x.rowid AS rowid, x.run_name AS run_name, x.step AS step,
        (SELECT y.rowid FROM metrics y WHERE ${sameRun} AND y.step = x.step AND y.log_id IS NOT NULL AND CAST(y.metrics AS BLOB) = CAST(x.metrics AS BLOB) LIMIT 1) AS kept
      FROM metrics x WHERE x.log_id IS NULL)
    WHERE kept IS NOT NULL ORDER BY rowid`;
  return (db.prepare(sql).raw(true).all() as Array<[number, unknown, unknown, number]>).map(([rowId, run, step, keptRowId]) => ({ rowId, run: String(run), step, keptRowId }));
}
