import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { FsckError } from '../../errors.js';
import { sha256File } from '../../fs/sha256File.js';
import { dirname } from 'node:path';
import type { FindingCode } from '../../codes.js';
import { fsyncDir } from '../../fs/fsyncDir.js';
import { writeAll } from '../../fs/writeAll.js';
import { inspectCell } from './inspectCell.js';
import type { SqliteDatabase } from './loadSqlite.js';
import { JSON_COLUMNS } from './trackioSchema.js';

/** A row chosen by another rule (a duplicate): written and deleted with the others; `duplicateOf` is noted in its line. */
export interface ChosenRow {
  table: string;
  rowid: number;
  duplicateOf?: number;
}

export interface QuarantinedRows {
  /** Rows moved, per table. */
  rows: Record<string, number>;
  total: number;
  quarantineFile: string;
}

/**
 * Moves rows whose JSON cell check reports as sqlite/invalid-json or sqlite/json-schema (the same
 * inspectCell) out of the database: first each row, every column, is written as one JSONL line
 * `{"table","rowid","row","blobs","bigints"?}` (BLOB columns base64, listed in `blobs`; integers beyond 2^53 as decimal strings, listed in `bigints`) to `quarantineFile`,
 * which is fsynced; only then are the rows deleted, all in one transaction. `db` must be open
 * read-write and not live; the caller has made the pre-repair backup. `quarantineFile` must not exist.
 * Rows in `also` (chosen by another rule: trackio/duplicate-rows) go the same way, after the bad
 * ones, each line noting `duplicateOf`; pass `codes` [] to move only those.
 */
export async function quarantineInvalidJsonRows(
  db: SqliteDatabase,
  quarantineFile: string,
  codes: ReadonlyArray<FindingCode> = ['sqlite/invalid-json', 'sqlite/json-schema'],
  also: ReadonlyArray<ChosenRow> = [],
): Promise<QuarantinedRows> {
  const tables = new Map<string, Set<string>>();
  for (const name of db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[]) {
    tables.set(name, new Set(db.prepare('SELECT name FROM pragma_table_info(?)').pluck().all(name) as string[]));
  }
  const doomed: Array<{ table: string; rowid: number }> = [];
  const rows: Record<string, number> = {};
  const fh = await open(quarantineFile, 'wx');
  const written = createHash('sha256');
  let size = 0;
  const taken = new Set<string>();
  const wholeRow = new Map<string, ReturnType<SqliteDatabase['prepare']>>();
  const write = async ({ table, rowid, duplicateOf }: ChosenRow): Promise<void> => {
    let whole = wholeRow.get(table);
    // Integers come back as BigInt so none is rounded: one above 2^53 is written as a string and listed in `bigints`.
    if (!whole) wholeRow.set(table, (whole = db.prepare(`SELECT * FROM "${table}" WHERE rowid = ?`).safeIntegers(true)));
    const row = whole.get(rowid) as Record<string, unknown> | undefined;
    // Once per row, even when two of its cells are bad or a rule chose it twice.
    if (!row || taken.has(`${table}\0${rowid}`)) return;
    taken.add(`${table}\0${rowid}`);
    const blobs: string[] = [];
    const bigints: string[] = [];
    for (const [k, v] of Object.entries(row)) {
      if (Buffer.isBuffer(v)) {
        row[k] = v.toString('base64');
        blobs.push(k);
      } else if (typeof v === 'bigint') {
        const exact = v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER);
        row[k] = exact ? Number(v) : v.toString();
        if (!exact) bigints.push(k);
      }
    }
    const line = Buffer.from(JSON.stringify({ table, rowid, row, blobs, ...(bigints.length > 0 && { bigints }), ...(duplicateOf !== undefined && { duplicateOf }) }) + '\n');
    written.update(line);
    size += line.length;
    await writeAll(fh, line, quarantineFile);
    doomed.push({ table, rowid });
    rows[table] = (rows[table] ?? 0) + 1;
  };
  try {
    for (const spec of JSON_COLUMNS) {
      const cols = tables.get(spec.table);
      if (!cols?.has(spec.column)) continue;
      const stepCol = cols.has('step') ? 'step' : 'NULL';
      const scan = db.prepare(`SELECT rowid, ${stepCol}, "${spec.column}" FROM "${spec.table}"`).raw(true);
      const bad: number[] = [];
      for (const [rowid, step, cell] of scan.iterate() as IterableIterator<[number, unknown, unknown]>) {
        const verdict = inspectCell(spec.shape, cell, spec.shape === 'metrics' ? step : undefined, spec.nullable);
        if (!verdict.ok && codes.includes(verdict.code)) bad.push(rowid);
      }
      for (const rowid of bad) await write({ table: spec.table, rowid });
    }
    for (const chosen of also) await write(chosen);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await fsyncDir(dirname(quarantineFile));
  // The rows are deleted only once the disk is proven to hold every byte of their copy.
  const back = await sha256File(quarantineFile);
  if (back.sha256 !== written.digest('hex') || back.size !== size) throw new FsckError(`verification failed: ${quarantineFile} read back different bytes than were written; no row was deleted`);
  if (doomed.length > 0) {
    const deleteRow = new Map<string, ReturnType<SqliteDatabase['prepare']>>();
    db.transaction(() => {
      for (const { table, rowid } of doomed) {
        let stmt = deleteRow.get(table);
        if (!stmt) deleteRow.set(table, (stmt = db.prepare(`DELETE FROM "${table}" WHERE rowid = ?`)));
        stmt.run(rowid);
      }
    })();
  }
  return { rows, total: doomed.length, quarantineFile };
}
