import type { SqliteDatabase } from './loadSqlite.js';

export interface IndexMismatch {
  table: string;
  index: string;
  /** What the index holds and what the table holds: entries, sum of row ids, sums over the indexed columns. */
  viaIndex: string;
  viaTable: string;
}

/**
 * Index-only damage (an index whose entries no longer match its table) passes PRAGMA quick_check,
 * which checks every b-tree's structure but not index content against the table. This compares,
 * for each plain-column index, what a scan of the index and a scan of the table add up to: the
 * number of entries, the sum of their row ids, and per indexed column sums chosen by its type
 * (columnSums). A missing, extra or stale entry changes one of these sums. Cost: one covering scan
 * per index and one scan of its table for all of them (about 0.15-0.25 s per million rows each, measured),
 * where integrity_check looks every row up in every index. Partial and expression indexes are
 * left to --full (integrity_check).
 */
export function checkIndexes(db: SqliteDatabase, tables: Iterable<string>): IndexMismatch[] {
  // One read transaction: every scan sees one snapshot. Without it, a live Trackio writer's commits
  // between the table's scan and an index's scan (seen running real Trackio 0.36 beside check)
  // made a healthy database look like one with index damage.
  const own = !db.inTransaction;
  if (own) db.exec('BEGIN');
  try {
    return compareIndexes(db, tables);
  } finally {
    if (own) db.exec('COMMIT');
  }
}

function compareIndexes(db: SqliteDatabase, tables: Iterable<string>): IndexMismatch[] {
  const out: IndexMismatch[] = [];
  for (const table of tables) {
    // A WITHOUT ROWID table has no rowid; its indexes are checked by --full only.
    const withoutRowid = (db.prepare("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?").pluck().get(table) as string | undefined)?.match(/without\s+rowid/i);
    if (withoutRowid) continue;
    const checked: Array<{ name: string; sums: string[] }> = [];
    const declared = new Map((db.prepare('SELECT name, type FROM pragma_table_info(?)').all(table) as Array<{ name: string; type: string }>).map((c) => [c.name, c.type]));
    for (const { name, partial } of db.prepare('SELECT name, partial FROM pragma_index_list(?)').all(table) as Array<{ name: string; partial: number }>) {
      if (partial) continue;
      const cols = db.prepare('SELECT cid, name FROM pragma_index_info(?)').all(name) as Array<{ cid: number; name: string | null }>;
      if (cols.some((c) => c.cid < 0 || c.name === null)) continue; // an expression index
      checked.push({ name, sums: ['count(*)', 'total(rowid)', ...cols.flatMap((c) => columnSums(c.name!, declared.get(c.name!) ?? ''))] });
    }
    if (checked.length === 0) continue;
    const sum = (sums: string[], how: string): unknown[] | string => {
      try {
        return db.prepare(`SELECT ${sums.join(', ')} FROM "${q(table)}" ${how}`).raw(true).get() as unknown[];
      } catch (err) {
        return (err as Error).message;
      }
    };
    // The table's side of every index in one scan of the table (each sum is the same as on its
    // own: the same rows in the same order): a table with two indexes is read once, not twice.
    const all = [...new Set(checked.flatMap((c) => c.sums))];
    const tableSums = sum(all, 'NOT INDEXED');
    for (const { name, sums } of checked) {
      const viaIndex = shown(sum(sums, `INDEXED BY "${q(name)}"`));
      const viaTable = shown(typeof tableSums === 'string' ? tableSums : sums.map((s) => tableSums[all.indexOf(s)]));
      if (viaIndex !== viaTable) out.push({ table, index: name, viaIndex, viaTable });
    }
  }
  return out;
}

/**
 * The sums that stand for one indexed column, by its declared type's affinity (SQLite's rules),
 * each cheap for the values that affinity stores:
 * - INTEGER (`step`, ids): the count and the total of the values (exact for integers below
 *   2^53), so any stale value shows; length() added only the same number stored as another type,
 *   and turning every integer into text to measure it cost a fifth of the comparison.
 * - TEXT (`run_id`, `timestamp`, names): the count, the total byte length (O(1) per value) and the
 *   total of the leading integer of each value (a timestamp's year), where total() of the text
 *   (its leading real number) cost as much as the rest of the comparison together.
 * - anything else (REAL, NUMERIC, BLOB, none): count, total and total length, as before.
 */
function columnSums(name: string, type: string): string[] {
  const c = `"${q(name)}"`;
  const t = type.toUpperCase();
  if (t.includes('INT')) return [`count(${c})`, `total(${c})`];
  if (t.includes('CHAR') || t.includes('CLOB') || t.includes('TEXT')) return [`count(${c})`, `total(octet_length(${c}))`, `total(CAST(${c} AS INTEGER))`];
  return [`count(${c})`, `total(${c})`, `total(length(${c}))`];
}

/** integrity_check lines that speak of an index only ("row 5 missing from index i", "wrong # of entries in index i", "non-unique entry in UNIQUE index i"). */
export function isIndexProblem(line: string): boolean {
  return /^(row \d+ missing from index |wrong # of entries in index |non-unique entry in UNIQUE index )/.test(line);
}

/** The sums as the finding quotes them, or the error that stopped the scan. */
function shown(sums: unknown[] | string): string {
  return typeof sums === 'string' ? sums : JSON.stringify(sums);
}

function q(name: string): string {
  return name.replace(/"/g, '""');
}
