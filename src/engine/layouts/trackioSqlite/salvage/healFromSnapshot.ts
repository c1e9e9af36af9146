import { sha256File } from '../../../fs/sha256File.js';
import type { SourceFile } from '../../../repair/RepairPlan.js';
import { loadSqlite, sqliteUri, type SqliteDatabase } from '../loadSqlite.js';

/** A range of rowids a salvage could not read: rows after `after` and before `before` (exclusive; null: unbounded). */
export interface UnreadRange {
  after: number | null;
  before: number | null;
}

/** Where a salvage cannot vouch for which rows exist: the rows a snapshot may bring back. */
export interface LostRows {
  /** Every rowid of every table: no b-tree was read (sqlite_schema unreadable, tables recreated by shape). */
  everywhere: boolean;
  /** Per table (as named in the salvaged database): damaged pages' rowid ranges and single rows that did not decode. */
  ranges: Map<string, UnreadRange[]>;
}

export interface HealResult {
  /** The snapshot, for people ("backup trackio_backup_..."), and its SHA-256 (verified before and after the read). */
  snapshot: string;
  sha256: string;
  /** Rows taken from the snapshot, in total and per table. */
  healed: number;
  byTable: Record<string, number>;
  /** Snapshot rows in an unread range the salvage holds already (same key, or same log_id): not taken twice. */
  present: number;
  /** Snapshot rows in an unread range the salvaged database refuses (another UNIQUE key holds a newer row; a column it lacks). */
  refused: number;
  /** Snapshot rows absent where the salvage read the table intact: deleted since the snapshot, so left out. */
  absentElsewhere: number;
  /** Why no row was taken, when the snapshot could not be used. */
  note?: string;
}

/**
 * Row-level heal from a verified snapshot (issue 12): after a salvage, the rows it could not read
 * come back from the copy of the database in a snapshot made by `backup`, never twice.
 *
 * Which rows: a snapshot row comes back only when the salvage cannot vouch that it is gone, i.e.
 * its rowid lies in a range the salvage reported unreadable (a damaged page, a cell that did not
 * decode) or no b-tree was read at all (`everywhere`). Where the salvage read a table's b-tree
 * intact, a row the snapshot has and the database lacks was deleted after the snapshot (Trackio
 * deletes runs and uploaded pending rows) and stays deleted: counted in `absentElsewhere`. This is
 * the heal-from-backup rule (keep what loses less) at row granularity: salvage-plus-heal keeps every
 * row the salvage kept (newer than the snapshot) and adds only rows the damage took; a whole-file
 * restore would lose every row written since the snapshot.
 *
 * Never twice: a snapshot row is skipped when the salvaged table holds its key (the rowid, or the
 * PRIMARY KEY columns of a table whose key is not the rowid) or, where the table has `log_id`, the
 * same log_id; any other UNIQUE clash keeps the salvaged row (INSERT OR IGNORE; counted in
 * `refused`). Columns are matched by name (a snapshot of an older schema generation fills what it
 * has). AUTOINCREMENT counters end at least at the snapshot's and the largest id, so no id is ever
 * handed out twice.
 *
 * The snapshot is read through SQLite read-only and immutable (nothing is created beside it); its
 * bytes must hash to `snapshot.sha256` before and after the read, or nothing is taken. All rows
 * come in one transaction, committed only when the database then passes integrity_check.
 */
export async function healFromSnapshot(dest: string, snapshot: SourceFile, lost: LostRows): Promise<HealResult> {
  const result: HealResult = { snapshot: snapshot.label, sha256: snapshot.sha256, healed: 0, byTable: {}, present: 0, refused: 0, absentElsewhere: 0 };
  const verified = async () => (await sha256File(snapshot.path).catch(() => undefined))?.sha256 === snapshot.sha256;
  if (!(await verified())) return { ...result, note: `${snapshot.label} no longer hashes to the SHA-256 its manifest recorded: not used` };
  const db = new (loadSqlite())(dest, { fileMustExist: true });
  let attached = false;
  try {
    try {
      db.prepare('ATTACH DATABASE ? AS snap').run(sqliteUri(snapshot.path, { mode: 'ro', immutable: '1' }));
      attached = true;
      db.prepare('SELECT count(*) FROM snap.sqlite_master').get();
    } catch (err) {
      return { ...result, note: `${snapshot.label} cannot be read (${(err as Error).message}): not used` };
    }
    db.exec('BEGIN');
    const snapTables = new Set(db.prepare("SELECT name FROM snap.sqlite_master WHERE type = 'table'").pluck().all() as string[]);
    const tables = db.prepare("SELECT name FROM main.sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").pluck().all() as string[];
    for (const table of tables) {
      if (!snapTables.has(table)) continue;
      const ranges = lost.everywhere ? [{ after: null, before: null }] : (lost.ranges.get(table) ?? []);
      healTable(db, table, ranges, !lost.everywhere, result);
    }
    raiseSequences(db);
    const check = db.prepare('PRAGMA main.integrity_check').pluck().all() as string[];
    const why = check.length !== 1 || check[0] !== 'ok' ? `the database would fail integrity_check with them (${check.slice(0, 2).join('; ')})` : !(await verified()) ? `${snapshot.label} changed while it was read` : undefined;
    if (why) {
      db.exec('ROLLBACK');
      return { ...result, healed: 0, byTable: {}, present: 0, refused: 0, absentElsewhere: 0, note: `${why}: no row taken` };
    }
    db.exec('COMMIT');
    return result;
  } catch (err) {
    if (db.inTransaction) db.exec('ROLLBACK');
    throw err;
  } finally {
    if (attached) db.exec('DETACH DATABASE snap');
    db.close();
  }
}

interface Column {
  name: string;
  type: string;
  pk: number;
}

const q = (name: string) => `"${name.replace(/"/g, '""')}"`;

function healTable(db: SqliteDatabase, table: string, ranges: UnreadRange[], countElsewhere: boolean, result: HealResult): void {
  const mine = db.pragma(`main.table_info(${q(table)})`) as Column[];
  const theirs = new Set((db.pragma(`snap.table_info(${q(table)})`) as Column[]).map((c) => c.name));
  const common = mine.filter((c) => theirs.has(c.name));
  if (common.length === 0) return;
  const pk = mine.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk);
  const ipk = pk.length === 1 && pk[0]!.type.toUpperCase() === 'INTEGER';
  // The key a row is known by: the rowid, unless the table declares another PRIMARY KEY.
  const keyedByRowid = ipk || pk.length === 0 || pk.some((c) => !theirs.has(c.name));
  const sameKey = keyedByRowid ? 'm.rowid = s.rowid' : pk.map((c) => `m.${q(c.name)} IS s.${q(c.name)}`).join(' AND ');
  let present = `EXISTS (SELECT 1 FROM main.${q(table)} m WHERE ${sameKey})`;
  if (theirs.has('log_id') && mine.some((c) => c.name === 'log_id')) present += ` OR (s.log_id IS NOT NULL AND EXISTS (SELECT 1 FROM main.${q(table)} m WHERE m.log_id = s.log_id))`;
  const absent = `NOT (${present})`;
  const cols = common.map((c) => q(c.name)).join(', ');
  const from = `FROM snap.${q(table)} s`;
  // The rowid is kept: with the id column where it is the rowid, explicitly elsewhere while it is free.
  const withRowid = ipk && common.some((c) => c.pk === 1) ? '' : 'rowid, ';
  const inserts = [`INSERT OR IGNORE INTO main.${q(table)} (${withRowid}${cols}) SELECT ${withRowid ? 's.rowid, ' : ''}${common.map((c) => `s.${q(c.name)}`).join(', ')} ${from} WHERE %RANGE% AND ${absent}${withRowid ? ` AND NOT EXISTS (SELECT 1 FROM main.${q(table)} m WHERE m.rowid = s.rowid)` : ''}`];
  // A table keyed by other columns whose rowid the salvage gave another row: the row comes back under a new rowid.
  if (withRowid && !keyedByRowid) inserts.push(`INSERT OR IGNORE INTO main.${q(table)} (${cols}) SELECT ${common.map((c) => `s.${q(c.name)}`).join(', ')} ${from} WHERE %RANGE% AND ${absent}`);
  let refusedHere = 0;
  for (const r of ranges) {
    const range = [r.after !== null ? 's.rowid > ?' : '', r.before !== null ? 's.rowid < ?' : ''].filter(Boolean).join(' AND ') || '1';
    const params = [r.after, r.before].filter((v) => v !== null);
    const inRange = db.prepare(`SELECT count(*) ${from} WHERE ${range}`).pluck().get(params) as number;
    const candidates = db.prepare(`SELECT count(*) ${from} WHERE ${range} AND ${absent}`).pluck().get(params) as number;
    let inserted = 0;
    for (const sql of inserts) inserted += db.prepare(sql.replace('%RANGE%', range)).run(params).changes;
    result.present += inRange - candidates;
    refusedHere += candidates - inserted;
    if (inserted > 0) result.byTable[table] = (result.byTable[table] ?? 0) + inserted;
    result.healed += inserted;
  }
  result.refused += refusedHere;
  if (countElsewhere) result.absentElsewhere += (db.prepare(`SELECT count(*) ${from} WHERE ${absent}`).pluck().get() as number) - refusedHere;
}

/** Each AUTOINCREMENT counter at least the snapshot's and the largest rowid: an id handed out before is never handed out again. */
function raiseSequences(db: SqliteDatabase): void {
  const has = (schema: string) => db.prepare(`SELECT count(*) FROM ${schema}.sqlite_master WHERE name = 'sqlite_sequence'`).pluck().get() === 1;
  if (!has('main')) return;
  const auto = db.prepare("SELECT name FROM main.sqlite_master WHERE type = 'table' AND sql LIKE '%AUTOINCREMENT%'").pluck().all() as string[];
  const theirs = has('snap') ? db.prepare('SELECT seq FROM snap.sqlite_sequence WHERE name = ?').safeIntegers(true).pluck() : undefined;
  const current = db.prepare('SELECT seq FROM main.sqlite_sequence WHERE name = ?').safeIntegers(true).pluck();
  for (const name of auto) {
    let seq: bigint | undefined;
    const largest = db.prepare(`SELECT max(rowid) FROM main.${q(name)}`).safeIntegers(true).pluck().get() as bigint | null;
    for (const v of [current.get(name), theirs?.get(name), largest] as Array<bigint | null | undefined>) if (v !== undefined && v !== null && (seq === undefined || v > seq)) seq = v;
    if (seq === undefined) continue;
    db.prepare('DELETE FROM main.sqlite_sequence WHERE name = ?').run(name);
    db.prepare('INSERT INTO main.sqlite_sequence (name, seq) VALUES (?, ?)').run(name, seq);
  }
}
