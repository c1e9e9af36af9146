import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { orjson, writeProject } from '../../fixtures/build/trackioDb.mjs';
import { loadSqlite, type SqliteDatabase } from '../../src/engine/layouts/trackioSqlite/loadSqlite.js';

/**
 * Databases for the salvage sweep: built with Trackio's exact schema of one generation, with
 * overflow cells (metrics JSON larger than a page), deleted rows (a freelist) and log_ids (a
 * UNIQUE index), and what each of their pages holds, from SQLite's own dbstat, so a damage case
 * knows which rows a damaged page may cost.
 */
export interface SweepSource {
  generation: string;
  path: string;
  bytes: Buffer;
  pageSize: number;
  /** `table:rowid` -> the row's content, for every live row. */
  truth: Map<string, string>;
  /** Keys of the rows deleted before the sweep (their pages are on the freelist). */
  deleted: Set<string>;
  /** Per page: what it is and the rows whose loss its damage may cause. */
  pages: Map<number, { kind: string; table: string; rows: string[] }>;
  /** The first freelist trunk page. */
  freelistTrunk: number;
}

export const Database = loadSqlite();

export function rowContent(row: unknown[]): string {
  return JSON.stringify(row.map((v) => (Buffer.isBuffer(v) ? `b:${v.toString('base64')}` : typeof v === 'bigint' ? `i:${v}` : v)));
}

/** Every row of every table (sqlite_sequence aside) of a database SQLite can read: key -> content. */
export function readRows(db: SqliteDatabase): Map<string, string> {
  const rows = new Map<string, string>();
  const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").pluck().all() as string[];
  for (const t of tables) {
    for (const r of db.prepare(`SELECT rowid, * FROM "${t}"`).raw(true).safeIntegers(true).iterate() as IterableIterator<unknown[]>) {
      rows.set(`${t}:${r[0]}`, rowContent(r.slice(1)));
    }
  }
  return rows;
}

export function buildSource(dir: string, generation: string, steps: number): SweepSource {
  mkdirSync(dir, { recursive: true });
  const path = writeProject(dir, 'p', { generation, runs: 4, steps, media: false });
  const db = new Database(path);
  const cols = (db.prepare("SELECT name FROM pragma_table_info('metrics') WHERE name != 'id'").pluck().all() as string[]);
  const pick = cols.map((c) => (c === 'metrics' ? '?' : c === 'run_name' ? "'big'" : c));
  const big = db.prepare(`INSERT INTO metrics (${cols.join(', ')}) SELECT ${pick.join(', ')} FROM metrics WHERE id = 1`);
  // Overflow cells: metrics JSON of one to three pages.
  for (let i = 0; i < 30; i++) big.run(orjson({ loss: i, histogram: Array.from({ length: 400 + i * 40 }, (_, k) => (k * 7 + i) % 101) }));
  if (cols.includes('log_id')) db.prepare("UPDATE metrics SET log_id = printf('%032x', id * 7919) WHERE id % 3 = 0").run();
  const deletedRows = db.prepare("SELECT rowid FROM metrics WHERE run_name = 'run-2'").pluck().all() as number[];
  db.prepare("DELETE FROM metrics WHERE run_name = 'run-2'").run();
  db.pragma('wal_checkpoint(TRUNCATE)');
  const truth = readRows(db);
  const pageSize = db.pragma('page_size', { simple: true }) as number;
  const stat = db.prepare('SELECT name, path, pageno, pagetype, ncell FROM dbstat ORDER BY name, path').all() as Array<{ name: string; path: string; pageno: number; pagetype: string; ncell: number }>;
  const isTable = new Set(db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[]);
  const pages = new Map<number, { kind: string; table: string; rows: string[] }>();
  const rowids = new Map<string, bigint[]>();
  const leafRows = new Map<string, string[]>();
  const rank = new Map<string, number>();
  for (const s of stat) {
    const table = isTable.has(s.name);
    if (s.name === 'sqlite_schema' || s.name === 'sqlite_master') {
      pages.set(s.pageno, { kind: 'schema', table: s.name, rows: [] });
      continue;
    }
    if (!table) {
      pages.set(s.pageno, { kind: `index-${s.pagetype}`, table: s.name, rows: [] });
      continue;
    }
    if (!rowids.has(s.name)) rowids.set(s.name, db.prepare(`SELECT rowid FROM "${s.name}" ORDER BY rowid`).pluck().safeIntegers(true).all() as bigint[]);
    if (s.pagetype === 'leaf') {
      const at = rank.get(s.name) ?? 0;
      const keys = rowids.get(s.name)!.slice(at, at + s.ncell).map((r) => `${s.name}:${r}`);
      rank.set(s.name, at + s.ncell);
      leafRows.set(`${s.name}${s.path}`, keys);
      pages.set(s.pageno, { kind: 'table-leaf', table: s.name, rows: s.name === 'sqlite_sequence' ? [] : keys });
    } else if (s.pagetype === 'overflow') {
      const m = /^(.*\/)([0-9a-f]+)\+/.exec(s.path)!;
      const owner = leafRows.get(`${s.name}${m[1]}`)?.[parseInt(m[2]!, 16)];
      pages.set(s.pageno, { kind: 'overflow', table: s.name, rows: owner && s.name !== 'sqlite_sequence' ? [owner] : [] });
    } else pages.set(s.pageno, { kind: 'table-interior', table: s.name, rows: [] });
  }
  db.close();
  const bytes = readFileSync(path);
  const pageCount = bytes.length / pageSize;
  const freelistTrunk = bytes.readUInt32BE(32);
  for (let n = 1; n <= pageCount; n++) if (!pages.has(n)) pages.set(n, { kind: n === freelistTrunk ? 'free-trunk' : 'free-leaf', table: '', rows: [] });
  return { generation, path, bytes, pageSize, truth, deleted: new Set(deletedRows.map((r) => `metrics:${r}`)), pages, freelistTrunk };
}

/**
 * A -wal of another database: a project of another generation written with checkpoints off,
 * its -wal copied while the writer still has it open (as a copy of a live data dir takes it).
 */
export function foreignWal(dir: string, generation: string): Buffer {
  mkdirSync(dir, { recursive: true });
  const path = writeProject(dir, 'other', { generation, runs: 2, steps: 40, media: false, artifacts: false });
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('wal_autocheckpoint = 0');
  const cols = (db.prepare("SELECT name FROM pragma_table_info('metrics') WHERE name NOT IN ('id', 'log_id')").pluck().all() as string[]);
  const pick = cols.map((c) => (c === 'run_name' ? "'foreign'" : c));
  db.prepare(`INSERT INTO metrics (${cols.join(', ')}) SELECT ${pick.join(', ')} FROM metrics`).run();
  db.prepare("UPDATE metrics SET step = step + 1000 WHERE id % 2 = 0").run();
  const wal = readFileSync(`${path}-wal`);
  db.close();
  return wal;
}

/**
 * The source with committed transactions left in its -wal (three of 100 rows each), copied while
 * open: returns the database's and the -wal's bytes.
 */
export function sourceWithWal(dir: string, src: SweepSource): { db: Buffer; wal: Buffer } {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'p.db');
  writeFileSync(path, src.bytes);
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('wal_autocheckpoint = 0');
  const cols = (db.prepare("SELECT name FROM pragma_table_info('metrics') WHERE name NOT IN ('id', 'log_id')").pluck().all() as string[]);
  const pick = cols.map((c) => (c === 'run_name' ? "'late'" : c));
  for (let t = 0; t < 3; t++) db.prepare(`INSERT INTO metrics (${cols.join(', ')}) SELECT ${pick.join(', ')} FROM metrics ORDER BY id LIMIT 100`).run();
  const out = { db: readFileSync(path), wal: readFileSync(`${path}-wal`) };
  db.close();
  return out;
}

/** Rows SQLite itself reads from a database and -wal (a copy, so the case's files stay as they are); undefined when it cannot. */
export function rowsSqliteReads(dir: string, db: Buffer, wal?: Buffer): Map<string, string> | undefined {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'copy.db');
  writeFileSync(path, db);
  if (wal) writeFileSync(`${path}-wal`, wal);
  try {
    const d = new Database(path, { readonly: false });
    try {
      return readRows(d);
    } finally {
      d.close();
    }
  } catch {
    return undefined;
  } finally {
    for (const s of ['', '-wal', '-shm']) rmSync(path + s, { force: true });
  }
}

/** Rows `.recover` of the sqlite3 shell at `sqlite3` gets back into the tables (lost_and_found aside), by key. */
export function recoverRows(sqlite3: string, dbPath: string, workDir: string): { rows: Map<string, string>; lostAndFound: number } | undefined {
  const sql = spawnSync(sqlite3, [dbPath, '.recover'], { encoding: 'buffer', maxBuffer: 1 << 30 });
  if (sql.status !== 0) return undefined;
  const out = join(workDir, 'recovered.db');
  rmSync(out, { force: true });
  const load = spawnSync(sqlite3, [out], { input: sql.stdout, maxBuffer: 1 << 30 });
  if (load.status !== 0 || !existsSync(out)) return undefined;
  const d = new Database(out, { readonly: true });
  try {
    const lost = d.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'lost_and_found%'").pluck().all() as string[];
    const lostAndFound = lost.reduce((n, t) => n + Number(d.prepare(`SELECT count(*) FROM "${t}"`).pluck().get()), 0);
    const rows = readRows(d);
    for (const k of [...rows.keys()]) if (k.startsWith('lost_and_found')) rows.delete(k);
    return { rows, lostAndFound };
  } finally {
    d.close();
  }
}

export function writeCase(dir: string, db: Buffer, wal?: Buffer): string {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'p.db');
  writeFileSync(path, db);
  if (wal) writeFileSync(`${path}-wal`, wal);
  return path;
}

export { copyFileSync };
