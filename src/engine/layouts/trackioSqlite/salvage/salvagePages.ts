import { existsSync, rmSync } from 'node:fs';
import { FsckError } from '../../../errors.js';
import { loadSqlite, type SqliteDatabase } from '../loadSqlite.js';
import { openDbFile } from './DbFile.js';
import { decodeRecord, TextBytes, type SqlValue } from './decodeRecord.js';
import { openPages, type PageSource } from './openPages.js';
import { readBtreePage, TABLE_LEAF } from './readBtreePage.js';
import { readTableCell } from './readTableCell.js';
import { readWal } from './readWal.js';
import { looksLikeSchemaRow, scanDatabase, type DatabaseScan } from './scanDatabase.js';
import { classifyPage, shapeScore, tableShapes, type TableShape } from './TableShape.js';
import { inLostRange, type TreeWalk } from './walkTableTree.js';
import { applyTrackioSchema, TRACKIO_SCHEMAS, type TrackioSchemaName } from './trackioSchemas.js';
import { UnplacedRows } from './UnplacedRows.js';

export interface PageSalvageResult {
  dest: string;
  /** `unread`: rowids of cells on the table's own leaves that could not be read whole (a broken overflow chain, a record that does not decode or fit): a snapshot may hold them (healFromSnapshot). */
  tables: Array<{ name: string; copied: number; skipped: Array<{ after: number | null; before: number | null; error: string }>; unread?: Array<number | bigint> }>;
  copied: number;
  schemaErrors: string[];
  /** Where the schema came from: the file's own sqlite_schema, or Trackio's schema of the generation the rows fit. */
  schemaFrom: 'sqlite_schema' | TrackioSchemaName;
  /** Rows not put into a table (see UnplacedRows), in total and by reason. */
  unplaced: number;
  unplacedByWhy: Record<string, number>;
  unplacedFile?: string;
  /** Rows found twice (a copy on an orphan page of a row the tree holds) and kept once. */
  duplicates: number;
  /** What became of <db>-wal: none, its committed frames applied, or ignored (and why). */
  wal: { state: 'none' | 'applied' | 'ignored'; frames: number; note?: string };
  /** Pages the b-trees point to that could not be read. */
  damagedPages: number;
  /** The database was in WAL mode (from its header, or its generation when the header is damaged). */
  walMode: boolean;
}

const BATCH = 10_000;

/**
 * Salvages a database by reading its file page by page (no SQLite on the source), so it works
 * where SQLite refuses: a damaged header, a truncated file, a -wal of another database, damaged
 * b-tree pages. Rows come from each table's b-tree, then from table-leaf pages no tree reaches
 * (cut off by damage above them): those go to the table whose tree was damaged and whose shape
 * they fit. Rows on free pages (deleted rows), rows fitting no table, and rows clashing with one
 * already salvaged (a UNIQUE index, the same rowid with other content) are not put back but
 * written to `unplacedFile` (JSONL), never dropped.
 *
 * The -wal's committed frames are read over the file when their checksums chain (readWal) and the
 * trees they give are no more damaged than the file's own; else the -wal is ignored (the caller
 * keeps it in quarantine).
 *
 * `dest` is a fresh database with the source's own schema (sqlite_schema) or, when that is
 * unreadable, Trackio's schema of the generation the rows fit; rows keep their rowids; the
 * sqlite_sequence counters are at least the largest rowid seen. It must pass integrity_check, or
 * the salvage fails and `dest` is removed.
 */
export function salvagePages(src: string, dest: string, opts: { unplacedFile?: string } = {}): PageSalvageResult {
  if (existsSync(dest)) throw new FsckError(`salvage target already exists: ${dest}`);
  const file = openDbFile(src);
  try {
    if (file.size < 512) throw new FsckError(`${src} is too short to hold a database page: nothing to salvage`);
    const bare = openPages(file);
    const wal = readWal(`${src}-wal`, bare.header.pageSize);
    let scan = scanDatabase(bare);
    let walState: PageSalvageResult['wal'] = { state: 'none', frames: 0 };
    if (wal && wal.applied > 0) {
      const withWal = scanDatabase(openPages(file, wal));
      const filePages = Math.floor(file.size / bare.header.pageSize);
      // Trackio never drops a table nor shrinks a database (no VACUUM): a -wal that does either is not this database's.
      const keepsTables = !scan.schema || (withWal.schema !== undefined && scan.schema.every((e) => e.type !== 'table' || withWal.schema!.some((w) => w.type === 'table' && w.name === e.name)));
      if (withWal.anomalies <= scan.anomalies && keepsTables && wal.dbSize >= filePages) {
        scan = withWal;
        walState = { state: 'applied', frames: wal.applied, ...(wal.stopped ? { note: `read up to the last commit before ${wal.stopped}` } : {}) };
      } else {
        walState = { state: 'ignored', frames: 0, note: "its pages do not fit the database's b-trees (a -wal of another database, or of an older copy)" };
      }
    } else if (wal) {
      walState = { state: 'ignored', frames: 0, note: wal.stopped ?? 'no committed transaction' };
    }
    if (!scan.schema && scan.orphans.length === 0) throw new FsckError(`${src} holds no readable table pages: nothing to salvage`);
    return writeSalvage(scan, dest, opts.unplacedFile, walState);
  } finally {
    file.close();
  }
}

function writeSalvage(scan: DatabaseScan, dest: string, unplacedFile: string | undefined, wal: PageSalvageResult['wal']): PageSalvageResult {
  const src = scan.src;
  const Database = loadSqlite();
  const out = new Database(dest);
  const unplaced = new UnplacedRows(unplacedFile);
  try {
    out.pragma('journal_mode = OFF');
    out.pragma('synchronous = OFF');
    // better-sqlite3 turns foreign keys on; a salvage puts rows back in page order and must not refuse one for it.
    out.pragma('foreign_keys = OFF');
    out.pragma(`page_size = ${src.header.pageSize}`);
    if (src.header.encoding !== 1) out.pragma(`encoding = '${src.header.encoding === 2 ? 'UTF-16le' : 'UTF-16be'}'`);
    const schemaErrors: string[] = [];
    let deferred: string[];
    let schemaFrom: PageSalvageResult['schemaFrom'];
    // A schema with an entry missing or SQL that no longer parses would lose a table: Trackio's own is used then.
    if (scan.schema && scan.schemaComplete && schemaCreates(scan)) {
      schemaFrom = 'sqlite_schema';
      deferred = [];
      for (const e of scan.schema) {
        if (!e.sql || e.name.startsWith('sqlite_')) continue;
        if (e.type === 'table' || /^CREATE\s+UNIQUE\s+INDEX/i.test(e.sql)) {
          try {
            out.exec(e.sql);
          } catch (err) {
            schemaErrors.push(`${e.type} ${e.name}: ${(err as Error).message}`);
          }
        } else deferred.push(e.sql);
      }
    } else {
      schemaFrom = generationByShape(scan);
      deferred = applyTrackioSchema(out, schemaFrom);
    }
    const shapes = tableShapes(out).filter((s) => s.name !== 'sqlite_sequence' || !scan.schema);
    const byName = new Map(shapes.map((s) => [s.name, s]));
    const writer = new RowWriter(out, unplaced);
    const tables = new Map<string, PageSalvageResult['tables'][number]>();
    for (const s of shapes) if (s.name !== 'sqlite_sequence') tables.set(s.name, { name: s.name, copied: 0, skipped: [] });
    const sequence = new Map<string, number | bigint>();
    let damagedPages = 0;
    writer.begin();
    /** Leaves of another table a damaged pointer led a tree to: read as orphans. */
    const strays: number[] = [];
    for (const [name, walk] of scan.trees) {
      damagedPages += walk.damaged.length;
      for (const n of walk.leaves) {
        const here = tables.get(name);
        const rows = rowsOf(src, n, unplaced, name, here && ((rowid) => (here.unread ??= []).push(rowid)), walk.cellsOf.get(n));
        if (!byName.has(name) && name !== 'sqlite_sequence') {
          // A table of the damaged schema that Trackio's schema names differently: its rows go by shape.
          const shape = classifyPage(rows.map((r) => r.values), shapes);
          for (const row of rows) {
            if (shape && shapeScore(row.values, shape) >= 0 && shape.name !== 'sqlite_sequence') writer.put(shape, row.rowid, row.values, n, tables.get(shape.name)!);
            else unplaced.add({ table: name, rowid: row.rowid, values: row.values, page: n, why: 'its table is not in the schema it was recreated with' });
          }
          continue;
        }
        const own = byName.get(name);
        if (own && rows.length > 0 && rows.every((r) => shapeScore(r.values, own) < 0) && classifyPage(rows.map((r) => r.values), shapes)) {
          // Not one row fits this table, all fit another: a leaf of another table, reached through a damaged
          // pointer. Its rows are placed as those of a page outside every tree; this tree lost the leaf it should have named.
          const bounds = walk.leafBounds.get(n);
          if (bounds) walk.lost.push(bounds);
          strays.push(n);
          continue;
        }
        for (const row of rows) {
          if (name === 'sqlite_sequence') {
            if (typeof row.values[0] === 'string' && (typeof row.values[1] === 'number' || typeof row.values[1] === 'bigint')) sequence.set(row.values[0], row.values[1]);
            continue;
          }
          const shape = byName.get(name);
          if (!shape) unplaced.add({ table: name, rowid: row.rowid, values: row.values, page: n, why: 'its table could not be recreated' });
          else if (!writer.put(shape, row.rowid, row.values, n, tables.get(name)!)) (tables.get(name)!.unread ??= []).push(row.rowid);
        }
      }
      // Each range of rowids under a damaged page: rows there may be lost (those found on pages outside the tree are put back).
      for (const r of mergeRanges(walk.lost)) {
        tables.get(name)?.skipped.push({
          after: r.lo === null ? null : Number(r.lo),
          before: r.hi === null ? null : Number(r.hi) + 1,
          error: 'a damaged or missing page of its b-tree',
        });
      }
    }
    // A row outside every tree belongs in a table only where that table's tree lost rows (or no tree is known).
    const lostHere = (name: string, rowid: number | bigint) => {
      const walk = scan.trees.get(name);
      return !walk || inLostRange(walk, rowid);
    };
    for (const n of [...scan.orphans, ...strays]) {
      const rows = rowsOf(src, n, unplaced, null);
      if (rows.length === 0) continue;
      const shape = classifyPage(rows.map((r) => r.values), shapes);
      for (const row of rows) {
        const fits = shape && shapeScore(row.values, shape) >= 0;
        const table = fits ? shape.name : null;
        if (scan.freelist.has(n)) unplaced.add({ table, rowid: row.rowid, values: row.values, page: n, why: 'on a free page (a deleted or superseded row)' }, fits ? shape : undefined);
        else if (!fits) unplaced.add({ table: null, rowid: row.rowid, values: row.values, page: n, why: looksLikeSchemaRow(row.values) ? 'a row of sqlite_schema cut off from page 1' : 'fits no table of the schema' });
        else if (shape.name === 'sqlite_sequence') {
          if (typeof row.values[0] === 'string' && (typeof row.values[1] === 'number' || typeof row.values[1] === 'bigint')) sequence.set(row.values[0], row.values[1]);
        } else if (!lostHere(shape.name, row.rowid)) unplaced.add({ table, rowid: row.rowid, values: row.values, page: n, why: 'on a page outside the intact b-tree of its table (an old copy)' }, shape);
        else writer.put(shape, row.rowid, row.values, n, tables.get(shape.name)!);
      }
    }
    writer.commit();
    for (const sql of deferred) {
      try {
        out.exec(sql);
      } catch (err) {
        schemaErrors.push(`${sql.slice(0, 60)}: ${(err as Error).message}`);
      }
    }
    setSequences(out, sequence, writer.maxRowid);
    const check = out.prepare('PRAGMA integrity_check').pluck().all() as string[];
    if (check.length !== 1 || check[0] !== 'ok') throw new FsckError(`the salvaged database fails integrity_check: ${check.slice(0, 3).join('; ')}`);
    const walMode = src.header.magicOk ? src.header.wal : schemaFrom !== 'v0.3' && !(scan.schema && !scan.trees.has('configs'));
    out.close();
    // Reopened for the journal mode: a connection that has run statements may not switch it.
    const reopened = new Database(dest, { fileMustExist: true });
    try {
      reopened.pragma(`journal_mode = ${walMode ? 'WAL' : 'DELETE'}`);
      if (walMode) reopened.pragma('wal_checkpoint(TRUNCATE)');
    } finally {
      reopened.close();
    }
    const list = [...tables.values()];
    return {
      dest,
      tables: list,
      copied: list.reduce((n, t) => n + t.copied, 0),
      schemaErrors,
      schemaFrom,
      unplaced: unplaced.count,
      unplacedByWhy: unplaced.byWhy,
      ...(unplaced.close() && unplacedFile ? { unplacedFile } : {}),
      duplicates: writer.duplicates,
      wal,
      damagedPages,
      walMode,
    };
  } catch (err) {
    if (out.open) out.close();
    unplaced.close();
    for (const p of [dest, `${dest}-wal`, `${dest}-shm`, `${dest}-journal`]) rmSync(p, { force: true });
    if (unplacedFile) rmSync(unplacedFile, { force: true });
    throw err;
  }
}

/** Adjacent lost ranges as one: (a, b] and (b, c] are (a, c]. Ranges come in key order from the walk. */
function mergeRanges(ranges: TreeWalk['lost']): TreeWalk['lost'] {
  const out: TreeWalk['lost'] = [];
  for (const r of ranges) {
    const last = out[out.length - 1];
    if (last && last.hi !== null && r.lo !== null && last.hi === r.lo) last.hi = r.hi;
    else out.push({ ...r });
  }
  return out;
}

interface Row {
  rowid: number | bigint;
  values: SqlValue[];
}

/** The rows of one table-leaf page; cells that do not decode, or whose overflow chain broke, go to `unplaced`. */
function rowsOf(src: PageSource, n: number, unplaced: UnplacedRows, table: string | null, onUnread?: (rowid: number | bigint) => void, found?: number[]): Row[] {
  const buf = src.page(n);
  // Only pages known to be leaves come here; `found`: the cells the walk found on a leaf whose header or pointers are damaged.
  const cells = found ?? (buf && (readBtreePage(buf, src.header.usable, n === 1 ? 100 : 0) ?? readBtreePage(buf, src.header.usable, n === 1 ? 100 : 0, TABLE_LEAF)))?.cells;
  if (!buf || !cells) return [];
  const rows: Row[] = [];
  for (const c of cells) {
    // Cells in the zero-padded part of the page a truncated file ends in are not read.
    const cell = readTableCell(src, buf, c, src.present(n));
    if (!cell) continue;
    if (cell.partial !== undefined) {
      onUnread?.(cell.rowid);
      unplaced.add({ table, rowid: cell.rowid, values: [cell.payload], page: n, why: `cut short: ${cell.partial} (the payload bytes that could be read)` });
      continue;
    }
    const values = decodeRecord(cell.payload, src.header.encoding);
    if (values) rows.push({ rowid: cell.rowid, values });
    else onUnread?.(cell.rowid);
  }
  return rows;
}

/** Whether every table of the file's sqlite_schema can be created (a damaged byte in its SQL may break one). */
function schemaCreates(scan: DatabaseScan): boolean {
  const scratch = new (loadSqlite())(':memory:');
  try {
    for (const e of scan.schema!) {
      if (e.type !== 'table' || !e.sql || e.name.startsWith('sqlite_')) continue;
      scratch.exec(e.sql);
    }
    return true;
  } catch {
    return false;
  } finally {
    scratch.close();
  }
}

/**
 * The schema generation whose tables the orphan rows fit best (sqlite_schema unreadable): each
 * generation's tables are created in a scratch database and every row scored against them.
 */
function generationByShape(scan: DatabaseScan): TrackioSchemaName {
  const Database = loadSqlite();
  const sample: SqlValue[][][] = [];
  const silent = new UnplacedRows();
  const pages = [...scan.orphans.slice(0, 2000), ...[...scan.trees.values()].flatMap((w) => w.leaves.slice(0, 200))];
  for (const n of pages) sample.push(rowsOf(scan.src, n, silent, null).map((r) => r.values));
  let best: TrackioSchemaName = 'current';
  let bestScore = -1;
  for (const name of Object.keys(TRACKIO_SCHEMAS) as TrackioSchemaName[]) {
    const scratch = new Database(':memory:');
    applyTrackioSchema(scratch, name);
    const shapes = tableShapes(scratch);
    scratch.close();
    let score = 0;
    for (const rows of sample) {
      const shape = classifyPage(rows, shapes);
      if (shape) for (const r of rows) score += Math.max(0, shapeScore(r, shape) + 1);
    }
    // Strictly greater: of equal fits the smaller (older) schema wins, it has no tables the rows do not need.
    if (score > bestScore) {
      best = name;
      bestScore = score;
    }
  }
  return best;
}

/** Inserts rows with their rowids in batches; a row the new database refuses is kept in `unplaced`, never aborts the salvage. */
class RowWriter {
  duplicates = 0;
  readonly maxRowid = new Map<string, number | bigint>();
  private readonly inserts = new Map<string, ReturnType<SqliteDatabase['prepare']>>();
  private readonly selects = new Map<string, ReturnType<SqliteDatabase['prepare']>>();
  private pending = 0;

  constructor(
    private readonly db: SqliteDatabase,
    private readonly unplaced: UnplacedRows,
  ) {}

  begin(): void {
    this.db.exec('BEGIN');
  }

  commit(): void {
    this.db.exec('COMMIT');
  }

  /** False when the row is not in the table afterwards under its rowid (it does not fit, or the new database refused it). */
  put(shape: TableShape, rowid: number | bigint, values: SqlValue[], page: number, counter: { copied: number }): boolean {
    const max = this.maxRowid.get(shape.name);
    if (max === undefined || rowid > max) this.maxRowid.set(shape.name, rowid);
    if (values.length > shape.columns.length || values.length < shape.minFields || (shape.ipk >= 0 && values[shape.ipk] !== null)) {
      this.unplaced.add({ table: shape.name, rowid, values, page, why: `does not fit table ${shape.name} (${values.length} values for ${shape.columns.length} columns)` });
      return false;
    }
    let key = `${shape.name}\0${values.length}`;
    const textBytes = values.some((v) => v instanceof TextBytes);
    if (textBytes) key += '\0' + values.map((v) => (v instanceof TextBytes ? 1 : 0)).join('');
    let stmt = this.inserts.get(key);
    if (!stmt) {
      const cols = shape.columns.slice(0, values.length).map((c) => `"${c.name.replace(/"/g, '""')}"`);
      const marks = values.map((v) => (v instanceof TextBytes ? 'CAST(? AS TEXT)' : '?'));
      const sql = shape.ipk >= 0 ? `INSERT INTO "${shape.name}" (${cols.join(', ')}) VALUES (${marks.join(', ')})` : `INSERT INTO "${shape.name}" (rowid, ${cols.join(', ')}) VALUES (?, ${marks.join(', ')})`;
      stmt = this.db.prepare(sql);
      this.inserts.set(key, stmt);
    }
    const params: unknown[] = shape.ipk >= 0 ? [] : [rowid];
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      if (i === shape.ipk) params.push(rowid);
      else if (v instanceof TextBytes) params.push(v.bytes);
      // A JS number is bound as a REAL: where no INTEGER affinity turns it back, an integer goes as a bigint.
      else if (typeof v === 'number' && Number.isInteger(v) && shape.columns[i]!.affinity !== 'INTEGER') params.push(BigInt(v));
      else params.push(v);
    }
    let placed = true;
    try {
      stmt.run(params);
      counter.copied++;
    } catch (err) {
      const existing = this.existing(shape, rowid);
      placed = existing !== undefined;
      if (existing && sameRow(existing, values, shape)) this.duplicates++;
      else this.unplaced.add({ table: shape.name, rowid, values, page, why: existing ? 'another version of a row already salvaged (same rowid)' : `refused by the new database: ${(err as Error).message}` }, shape);
    }
    if (++this.pending >= BATCH) {
      this.commit();
      this.begin();
      this.pending = 0;
    }
    return placed;
  }

  private existing(shape: TableShape, rowid: number | bigint): unknown[] | undefined {
    let stmt = this.selects.get(shape.name);
    if (!stmt) {
      stmt = this.db.prepare(`SELECT * FROM "${shape.name}" WHERE rowid = ?`).raw(true).safeIntegers(true);
      this.selects.set(shape.name, stmt);
    }
    return stmt.get(rowid) as unknown[] | undefined;
  }
}

function sameRow(existing: unknown[], values: SqlValue[], shape: TableShape): boolean {
  for (let i = 0; i < values.length; i++) {
    if (i === shape.ipk) continue;
    if (norm(existing[i]) !== norm(values[i] ?? null)) return false;
  }
  return true;
}

function norm(v: unknown): string {
  if (v === null || v === undefined) return 'n';
  if (Buffer.isBuffer(v)) return 'b' + v.toString('base64');
  if (v instanceof TextBytes) return 's' + v.bytes.toString('base64');
  if (typeof v === 'bigint') return 'i' + v.toString();
  if (typeof v === 'number') return Number.isInteger(v) ? 'i' + v : 'r' + v;
  return 's' + Buffer.from(String(v), 'utf8').toString('base64');
}

/** sqlite_sequence: each AUTOINCREMENT counter at least the recovered one and the largest rowid seen, so no id is handed out twice. */
function setSequences(db: SqliteDatabase, recovered: Map<string, number | bigint>, seen: Map<string, number | bigint>): void {
  const hasSeq = db.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_sequence'").pluck().get() === 1;
  if (!hasSeq) return;
  const auto = new Set(db.prepare('SELECT name FROM sqlite_master WHERE type = \'table\' AND sql LIKE \'%AUTOINCREMENT%\'').pluck().all() as string[]);
  const current = db.prepare('SELECT seq FROM sqlite_sequence WHERE name = ?').safeIntegers(true).pluck();
  const del = db.prepare('DELETE FROM sqlite_sequence WHERE name = ?');
  const ins = db.prepare('INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)');
  db.transaction(() => {
    for (const name of auto) {
      let seq: bigint | undefined;
      for (const v of [current.get(name) as bigint | undefined, recovered.get(name), seen.get(name)]) {
        if (v === undefined) continue;
        const b = BigInt(v);
        if (seq === undefined || b > seq) seq = b;
      }
      if (seq === undefined) continue;
      del.run(name);
      ins.run(name, seq);
    }
  })();
}
