import { checkIndexes, type IndexMismatch } from './checkIndexes.js';
import type { SqliteDatabase } from './loadSqlite.js';

/** What SQLite says of a database's b-trees: its integrity pragma's lines, and the indexes that do not match their tables. */
export interface Structure {
  /** quick_check's (integrity_check's) lines: ['ok'] when it found nothing, or the error that stopped it. */
  problems: string[];
  /** Index-only damage, looked for when quick_check passed (integrity_check finds it itself). */
  indexMismatches: IndexMismatch[];
}

/**
 * PRAGMA quick_check (integrity_check when `full`) and, when it passes, the index comparison that
 * quick_check leaves out (checkIndexes). It reads every page of the database and needs nothing
 * from the rest of the check, so a large database can have it run on a second connection in a
 * worker thread (structureInBackground, TRACKIO_FSCK_WORKERS=1) while the main thread scans the cells.
 */
export function structureProblems(db: SqliteDatabase, tables: Iterable<string>, full: boolean): Structure {
  let problems: string[];
  try {
    problems = db.prepare(`PRAGMA ${full ? 'integrity_check' : 'quick_check'}(100)`).pluck().all() as string[];
  } catch (err) {
    problems = [(err as Error).message];
  }
  const ok = problems.length === 1 && problems[0] === 'ok';
  return { problems, indexMismatches: ok && !full ? checkIndexes(db, tables) : [] };
}
