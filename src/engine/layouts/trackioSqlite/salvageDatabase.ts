import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { FsckError } from '../../errors.js';
import { fsyncDir } from '../../fs/fsyncDir.js';
import type { SqliteDatabase } from './loadSqlite.js';
import { loadSqlite } from './loadSqlite.js';
import { openReadOnly } from './openReadOnly.js';
import { readSqliteHeader } from './readSqliteHeader.js';
import { reindexCopy } from './salvage/reindexCopy.js';
import { salvagePages, type PageSalvageResult } from './salvage/salvagePages.js';
import { healFromSnapshot, type HealResult, type LostRows } from './salvage/healFromSnapshot.js';
import type { SourceFile } from '../../repair/RepairPlan.js';

export interface SalvagedTable {
  name: string;
  /** Rows copied into the new database. */
  copied: number;
  /** Row-id ranges that could not be read (a damaged page); exclusive bounds: rows after `after`, before `before`. */
  skipped: Array<{ after: number | null; before: number | null; error: string }>;
  /** Page-level salvage: rowids of single rows on intact pages that could not be read whole. */
  unread?: Array<number | bigint>;
}

export interface SalvageResult {
  dest: string;
  tables: SalvagedTable[];
  copied: number;
  /** Schema objects (indexes, triggers, views) that could not be recreated. */
  schemaErrors: string[];
  /** How: a copy with its indexes rebuilt (only the indexes were damaged), page by page from the file (salvagePages), or through SQLite when that failed. */
  method?: 'reindex' | 'pages' | 'sqlite';
  /** The page-level salvage's account: rows not put back (in `unplacedFile`), what became of the -wal, the journal mode. */
  pages?: PageSalvageResult;
  /** Why the page-level salvage failed, when SQLite's was used instead. */
  pagesError?: string;
  /** Rows the salvage could not read, taken from a verified snapshot (opts.snapshot; see healFromSnapshot). */
  healed?: HealResult;
}

export interface SalvageOptions {
  /** Where rows found but not put back are written (JSONL). */
  unplacedFile?: string;
  /** A verified copy of the database in a `backup` snapshot: rows the salvage cannot read come back from it. */
  snapshot?: SourceFile;
}

const BATCH = 10_000;

/**
 * Copies every readable row of every table of `src` into a fresh database `dest` created with the
 * same schema (the SQL in sqlite_master), stepping over pages that cannot be read: when reading a
 * table fails, it restarts after the last good row id, further and further ahead until a read
 * succeeds, then narrows back so that no readable row after the damage is lost. Indexes are
 * created after the rows are in. `src` is only read; the caller keeps it (in quarantine).
 * The new database must pass integrity_check, or the salvage fails and `dest` is removed.
 */
export async function salvageDatabase(src: string, dest: string, opts: SalvageOptions = {}): Promise<SalvageResult> {
  const result = await salvageOnly(src, dest, opts);
  if (!opts.snapshot || result.method === 'reindex') return result;
  try {
    return { ...result, healed: await healFromSnapshot(dest, opts.snapshot, lostRowsOf(result)) };
  } catch (err) {
    for (const p of [dest, `${dest}-wal`, `${dest}-shm`, `${dest}-journal`]) await rm(p, { force: true });
    throw err;
  }
}

/** The rows a salvage cannot vouch for: its skipped row-id ranges, single rows it could not read, everything when it read no b-tree. */
export function lostRowsOf(result: SalvageResult): LostRows {
  const ranges: LostRows['ranges'] = new Map();
  for (const t of result.tables) {
    const list = t.skipped.map((s) => ({ after: s.after, before: s.before }));
    const unread = t.unread ?? [];
    for (const r of unread) list.push({ after: Number(r) - 1, before: Number(r) + 1 });
    if (list.length > 0) ranges.set(t.name, list);
  }
  return { everywhere: result.method === 'pages' && result.pages?.schemaFrom !== 'sqlite_schema', ranges };
}

async function salvageOnly(src: string, dest: string, opts: SalvageOptions): Promise<SalvageResult> {
  if (existsSync(dest)) throw new FsckError(`salvage target already exists: ${dest}`);
  // Index-only damage first: REINDEX on a page-for-page copy keeps everything exactly as it was.
  const reindexed = await reindexCopy(src, dest);
  if (reindexed) {
    await fsyncDir(dirname(dest));
    return { dest, ...reindexed, schemaErrors: [], method: 'reindex' };
  }
  // Then page by page: it reads every row SQLite's walk reads, plus those SQLite cannot reach
  // (damaged header, truncation, cut-off pages) and it ignores a -wal that does not belong.
  let pagesError: string;
  try {
    const pages = salvagePages(src, dest, { unplacedFile: opts.unplacedFile });
    await fsyncDir(dirname(dest));
    return { dest, tables: pages.tables, copied: pages.copied, schemaErrors: pages.schemaErrors, method: 'pages', pages };
  } catch (err) {
    pagesError = (err as Error).message;
  }
  const viaSqlite = await salvageWithSqlite(src, dest).catch((err: Error) => {
    throw new FsckError(`${err.message}; reading it page by page failed too: ${pagesError}`);
  });
  return { ...viaSqlite, method: 'sqlite', pagesError };
}

/** The salvage through SQLite itself (see salvageDatabase): the fallback when the page-level one fails. */
export async function salvageWithSqlite(src: string, dest: string): Promise<SalvageResult> {
  const header = await readSqliteHeader(src);
  if (!header) throw new FsckError(`${src} is not a SQLite database: nothing to salvage`);
  const opened = await openReadOnly(src, header, false);
  const Database = loadSqlite();
  const out = new Database(dest);
  const result: SalvageResult = { dest, tables: [], copied: 0, schemaErrors: [] };
  try {
    const source = opened.db;
    let schema: Array<{ type: string; name: string; tbl_name: string; sql: string | null }>;
    try {
      schema = source.prepare('SELECT type, name, tbl_name, sql FROM sqlite_master').all() as typeof schema;
    } catch (err) {
      throw new FsckError(`cannot read the schema of ${src} (${(err as Error).message}): the first page is damaged; restore from a backup instead`);
    }
    out.pragma('journal_mode = OFF');
    out.pragma('synchronous = OFF');
    const tables = schema.filter((s) => s.type === 'table' && s.sql && !s.name.startsWith('sqlite_'));
    for (const t of tables) out.exec(t.sql!);
    for (const t of tables) result.tables.push(copyTable(source, out, t.name));
    if (schema.some((s) => s.name === 'sqlite_sequence')) copySequence(source, out);
    for (const s of schema.filter((x) => x.type !== 'table' && x.sql)) {
      try {
        out.exec(s.sql!);
      } catch (err) {
        result.schemaErrors.push(`${s.type} ${s.name}: ${(err as Error).message}`);
      }
    }
    result.copied = result.tables.reduce((n, t) => n + t.copied, 0);
    out.pragma(`journal_mode = ${header.wal ? 'WAL' : 'DELETE'}`);
    out.pragma('synchronous = FULL');
    const check = out.prepare('PRAGMA integrity_check').pluck().all() as string[];
    if (check.length !== 1 || check[0] !== 'ok') throw new FsckError(`the salvaged database fails integrity_check: ${check.slice(0, 3).join('; ')}`);
    out.pragma('wal_checkpoint(TRUNCATE)');
  } catch (err) {
    out.close();
    for (const p of [dest, `${dest}-wal`, `${dest}-shm`, `${dest}-journal`]) await rm(p, { force: true });
    await opened.close();
    throw err;
  }
  out.close();
  await opened.close();
  await fsyncDir(dirname(dest));
  return result;
}

function copyTable(source: SqliteDatabase, out: SqliteDatabase, table: string): SalvagedTable {
  const q = `"${table.replace(/"/g, '""')}"`;
  const cols = (source.prepare('SELECT name FROM pragma_table_info(?)').pluck().all(table) as string[]).map((c) => `"${c.replace(/"/g, '""')}"`);
  const withoutRowid = (source.prepare('SELECT wr FROM pragma_table_list WHERE name = ?').pluck().get(table) as number | undefined) === 1;
  const salvaged: SalvagedTable = { name: table, copied: 0, skipped: [] };
  const insert = out.prepare(`INSERT INTO ${q} (${withoutRowid ? '' : 'rowid, '}${cols.join(', ')}) VALUES (${[...(withoutRowid ? [] : ['?']), ...cols.map(() => '?')].join(', ')})`);
  let batch: unknown[][] = [];
  const flush = out.transaction(() => {
    for (const row of batch) insert.run(row);
  });
  const push = (row: unknown[]) => {
    batch.push(row);
    if (batch.length >= BATCH) {
      flush();
      batch = [];
    }
    salvaged.copied++;
  };
  if (withoutRowid) {
    // No row id to step over damage with: copy up to the first unreadable page.
    try {
      for (const row of source.prepare(`SELECT ${cols.join(', ')} FROM ${q}`).raw(true).safeIntegers(true).iterate() as IterableIterator<unknown[]>) push(row);
    } catch (err) {
      salvaged.skipped.push({ after: null, before: null, error: (err as Error).message });
    }
  } else {
    // Integers as BigInt: a JS number would be written back as REAL into columns without affinity.
    const from = source.prepare(`SELECT rowid, ${cols.join(', ')} FROM ${q} WHERE rowid > ? ORDER BY rowid`).raw(true).safeIntegers(true);
    let last: number | null = null;
    for (;;) {
      const error = readFrom(from, last, (row) => {
        push(row);
        last = Number(row[0]);
      });
      if (!error) break;
      const resume = findReadableStart(from, last ?? Number.MIN_SAFE_INTEGER);
      salvaged.skipped.push({ after: last, before: resume === undefined ? null : resume.firstRowid, error });
      if (resume === undefined) break;
      last = resume.start;
    }
  }
  if (batch.length > 0) flush();
  return salvaged;
}

type Stmt = ReturnType<SqliteDatabase['prepare']>;

/** Reads rows with rowid > after until the end (undefined) or an error (its message). */
function readFrom(stmt: Stmt, after: number | null, onRow: (row: unknown[]) => void): string | undefined {
  try {
    for (const row of stmt.iterate(after ?? Number.MIN_SAFE_INTEGER) as IterableIterator<unknown[]>) onRow(row);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

/** Whether the first row after `start` can be read; its rowid, or null at the end of the table. */
function probe(stmt: Stmt, start: number): { ok: boolean; rowid: number | null } {
  try {
    const it = stmt.iterate(start) as IterableIterator<unknown[]>;
    const first = it.next();
    it.return?.();
    return { ok: true, rowid: first.done ? null : Number(first.value[0]) };
  } catch {
    return { ok: false, rowid: null };
  }
}

/**
 * After a read failed past `last`, finds the smallest start from which reading works again: jumps
 * 1, 2, 4, ... row ids ahead until a probe succeeds, then bisects back between the last failing and
 * the first working start.
 */
function findReadableStart(stmt: Stmt, last: number): { start: number; firstRowid: number | null } | undefined {
  let bad = last;
  let step = 1;
  let good: number | undefined;
  while (bad + step <= Number.MAX_SAFE_INTEGER) {
    const p = probe(stmt, bad + step);
    if (p.ok) {
      good = bad + step;
      break;
    }
    bad += step;
    step *= 2;
  }
  if (good === undefined) return undefined;
  let hi: number = good;
  while (hi - bad > 1) {
    const mid: number = bad + Math.floor((hi - bad) / 2);
    if (probe(stmt, mid).ok) hi = mid;
    else bad = mid;
  }
  const first = probe(stmt, hi);
  if (first.rowid === null) return undefined;
  return { start: hi, firstRowid: first.rowid };
}

function copySequence(source: SqliteDatabase, out: SqliteDatabase): void {
  try {
    const rows = source.prepare('SELECT name, seq FROM sqlite_sequence').safeIntegers(true).all() as Array<{ name: string; seq: bigint }>;
    const up = out.prepare('INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)');
    const clear = out.prepare('DELETE FROM sqlite_sequence WHERE name = ?');
    out.transaction(() => {
      for (const r of rows) {
        clear.run(r.name);
        up.run(r.name, r.seq);
      }
    })();
  } catch {
    // AUTOINCREMENT counters are rebuilt from the rows' ids on the next insert; nothing is lost.
  }
}
