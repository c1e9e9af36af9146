import { createHash, type Hash } from 'node:crypto';
import { basename, dirname } from 'node:path';
import { FsckError } from '../../errors.js';
import { isProjectLive } from './isProjectLive.js';
import type { SqliteDatabase } from './loadSqlite.js';
import { openReadOnly } from './openReadOnly.js';
import { readSqliteHeader } from './readSqliteHeader.js';
import { byReferenceOrder, registryRefsOf, type RegistryRefs } from './registryRows.js';

/**
 * Reading rows of the other copy (merge): B's database opened as check opens it (openReadOnly:
 * nothing created beside it, a live one read through SQLite's locking), its rows read whole with
 * exact integers (BigInt) and serialised as the JSONL lines quarantine uses, which are also what
 * the plan's digest is taken over, so plan and apply agree on the very rows.
 */
export async function withSourceDatabase<T>(from: string, fn: (db: SqliteDatabase) => T | Promise<T>): Promise<T> {
  const header = await readSqliteHeader(from).catch(() => undefined);
  if (!header) throw new FsckError(`${from} is not a SQLite database (any more): the merge stops before changing anything`);
  const live = await isProjectLive(dirname(from), basename(from).replace(/\.db$/, ''));
  const opened = await openReadOnly(from, header, live);
  try {
    return await fn(opened.db);
  } finally {
    await opened.close();
  }
}

export type Row = Record<string, unknown>;

/** Rows of `table` by row id, in the order given; a row id B no longer has is an error (B changed). */
export function* rowsById(db: SqliteDatabase, table: string, ids: readonly number[]): Generator<{ rowid: number; row: Row }> {
  const get = db.prepare(`SELECT * FROM "${table}" WHERE rowid = ?`).safeIntegers(true);
  for (const rowid of ids) {
    const row = get.get(rowid) as Row | undefined;
    if (!row) throw new FsckError(`row ${rowid} of ${table} is gone from the other copy since the merge was planned: nothing was brought; plan again`);
    yield { rowid, row };
  }
}

/**
 * One row as a JSONL line: `{"table","rowid","row","blobs","bigints"?,"refs"?}` (BLOBs base64,
 * integers beyond 2^53 as strings; `refs`: what a registry row's ids stood for in its database, by
 * name and digest), as quarantined rows are written.
 */
export function rowLine(table: string, rowid: number, row: Row, refs?: RegistryRefs): Buffer {
  const out: Row = {};
  const blobs: string[] = [];
  const bigints: string[] = [];
  for (const [k, v] of Object.entries(row)) {
    if (Buffer.isBuffer(v)) {
      out[k] = v.toString('base64');
      blobs.push(k);
    } else if (typeof v === 'bigint') {
      const exact = v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER);
      out[k] = exact ? Number(v) : v.toString();
      if (!exact) bigints.push(k);
    } else out[k] = v;
  }
  return Buffer.from(JSON.stringify({ table, rowid, row: out, blobs, ...(bigints.length > 0 && { bigints }), ...(refs && { refs }) }) + '\n');
}

/**
 * Tables in a fixed order, so a digest is the same whoever computes it: the registry's in the order
 * their rows refer to one another (an artifact before its versions), then the rest by name.
 */
export function tablesOf(rows: Record<string, number[]> | undefined): Array<[string, number[]]> {
  return Object.entries(rows ?? {})
    .filter(([, ids]) => ids.length > 0)
    .sort(([a], [b]) => byReferenceOrder(a, b));
}

/** The digest of rows as their JSONL lines (tables in tablesOf order, rows in the order given). */
export function digestRows(db: SqliteDatabase, rows: Record<string, number[]> | undefined): string {
  const hash = createHash('sha256');
  const refsOf = registryRefsOf(db);
  for (const [table, ids] of tablesOf(rows)) for (const { rowid, row } of rowsById(db, table, ids)) hash.update(rowLine(table, rowid, row, refsOf(table, row)));
  return hash.digest('hex');
}

/** The conflicting rows' JSONL lines, each also fed to `hash`. */
export function conflictLines(db: SqliteDatabase, conflicts: Record<string, number[]> | undefined, hash: Hash): Buffer[] {
  const lines: Buffer[] = [];
  const refsOf = registryRefsOf(db);
  for (const [table, ids] of tablesOf(conflicts)) {
    for (const { rowid, row } of rowsById(db, table, ids)) {
      const line = rowLine(table, rowid, row, refsOf(table, row));
      hash.update(line);
      lines.push(line);
    }
  }
  return lines;
}
