import type { SqliteDatabase } from '../loadSqlite.js';
import type { ChosenRow } from '../quarantineInvalidJsonRows.js';
import { findDuplicateRows } from './duplicateRows.js';

/**
 * The duplicate rows of a database as the repair takes them out: chosen again on the fresh copy
 * the repair rebuilt (the same rows check reported, by the same findDuplicateRows, since the copy
 * holds the bytes the plan read).
 */
export function duplicateRowsIn(db: SqliteDatabase): ChosenRow[] {
  const columns = new Set(db.prepare("SELECT name FROM pragma_table_info('metrics')").pluck().all() as string[]);
  return findDuplicateRows(db, columns).map((d) => ({ table: 'metrics', rowid: d.rowId, duplicateOf: d.keptRowId }));
}
