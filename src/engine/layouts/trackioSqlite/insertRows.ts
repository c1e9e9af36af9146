import type { Hash } from 'node:crypto';
import { FsckError } from '../../errors.js';
import type { SqliteDatabase } from './loadSqlite.js';
import { registryInserter, registryRefsOf } from './registryRows.js';
import { rowLine, rowsById, tablesOf } from './sourceRows.js';

/** A table's columns: which ones, which must be given, and the INTEGER PRIMARY KEY (the row id's alias), if any. */
export interface TableColumns {
  names: Set<string>;
  required: Set<string>;
  rowidAlias?: string;
}

export function columnsOf(db: SqliteDatabase, table: string): TableColumns | undefined {
  const info = db.prepare('SELECT name, type, "notnull", dflt_value, pk FROM pragma_table_info(?)').all(table) as Array<{ name: string; type: string; notnull: number; dflt_value: unknown; pk: number }>;
  if (info.length === 0) return undefined;
  const pks = info.filter((c) => c.pk > 0);
  const rowidAlias = pks.length === 1 && pks[0]!.type.toUpperCase() === 'INTEGER' ? pks[0]!.name : undefined;
  return {
    names: new Set(info.map((c) => c.name)),
    required: new Set(info.filter((c) => c.notnull && c.dflt_value === null && c.name !== rowidAlias).map((c) => c.name)),
    rowidAlias,
  };
}

/**
 * Columns a newer schema has that Trackio itself fills from another one when a row lacks them: a run
 * logged before 0.24 had no run_id, and Trackio's `bulk_log` stores `run_id or run` (the run's name).
 * Rows of such a copy come in the same way.
 */
const FILLED_FROM: Readonly<Record<string, string>> = { run_id: 'run_name' };

/** The columns of `into` that B's rows lack and that are filled from another of their columns. */
function filledColumns(into: TableColumns, from: TableColumns): Array<[string, string]> {
  return Object.entries(FILLED_FROM).filter(([c, source]) => into.names.has(c) && !from.names.has(c) && from.names.has(source));
}

/** Why rows of B's table cannot go into DIR's as they are (another schema generation), or undefined. */
export function unmergeable(into: TableColumns | undefined, from: TableColumns | undefined): string | undefined {
  if (!into) return 'the table is missing here';
  if (!from) return 'the table is missing in the other copy';
  const extra = [...from.names].filter((c) => !into.names.has(c));
  if (extra.length > 0) return `the other copy's rows have columns this database lacks (${extra.join(', ')})`;
  const filled = new Set(filledColumns(into, from).map(([c]) => c));
  const missing = [...into.required].filter((c) => !from.names.has(c) && !filled.has(c));
  if (missing.length > 0) return `this database needs columns the other copy's rows lack (${missing.join(', ')})`;
  return undefined;
}

/**
 * Inserts B's rows (`src`, read-only) into `dst` (the fresh copy of DIR's database), every column
 * as B holds it (BLOB stays BLOB, integers exact), each row's JSONL line fed to `hash` so the caller
 * can tell they are the rows the plan saw. A row keeps its id unless DIR already uses it; then
 * SQLite gives it a new one (log_id, alert_id and every other column are kept); a run_id the row
 * lacks (Trackio before 0.24) is its run's name, as Trackio fills it. Rows of the artifact
 * registry get DIR's next ids and refer to DIR's rows of the same identity (registryInserter). The
 * caller runs this inside one transaction.
 */
export function insertRows(dst: SqliteDatabase, src: SqliteDatabase, bring: Record<string, number[]>, hash: Hash): Record<string, number> {
  const counts: Record<string, number> = {};
  const refsOf = registryRefsOf(src);
  const remap = registryInserter(dst);
  for (const [table, ids] of tablesOf(bring)) {
    const into = columnsOf(dst, table);
    const from = columnsOf(src, table);
    const why = unmergeable(into, from);
    if (why) throw new FsckError(`cannot bring rows of ${table}: ${why}; nothing was brought`);
    const fill = filledColumns(into!, from!);
    const taken = into!.rowidAlias ? dst.prepare(`SELECT 1 FROM "${table}" WHERE "${into!.rowidAlias}" = ?`).pluck() : undefined;
    const statements = new Map<string, ReturnType<SqliteDatabase['prepare']>>();
    for (const { rowid, row } of rowsById(src, table, ids)) {
      const refs = refsOf(table, row);
      hash.update(rowLine(table, rowid, row, refs));
      // The registry's rows refer to each other by id: theirs are remapped to DIR's rows of the same identity.
      const remapped = remap(table, row, refs);
      const values = remapped ?? { ...row };
      for (const [c, source] of fill) values[c] = values[source];
      if (!remapped && into!.rowidAlias && taken!.get(values[into!.rowidAlias]) !== undefined) delete values[into!.rowidAlias];
      const cols = Object.keys(values);
      const key = cols.join('\0');
      let insert = statements.get(key);
      if (!insert) statements.set(key, (insert = dst.prepare(`INSERT INTO "${table}" (${cols.map((c) => `"${c}"`).join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`)));
      try {
        insert.run(cols.map((c) => values[c]));
      } catch (err) {
        // A UNIQUE constraint of DIR's schema (a config of a renamed run, ...): nothing is brought, all or nothing.
        throw new FsckError(`row ${rowid} of ${table} in the other copy cannot go into this database (${(err as Error).message}); nothing was brought`);
      }
    }
    counts[table] = ids.length;
  }
  return counts;
}
