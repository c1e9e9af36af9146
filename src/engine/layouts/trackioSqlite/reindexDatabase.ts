import type { SqliteDatabase } from './loadSqlite.js';

/**
 * Rebuilds every index of a database (open read-write: the repair's fresh copy) from its tables.
 * Index entries are derived data: rebuilding them loses nothing, and mends index-only damage
 * (sqlite/index) that quick_check does not see and queries trip over.
 */
export function reindexDatabase(db: SqliteDatabase): void {
  db.exec('REINDEX');
}
