import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';
import { TextBytes, type SqlValue } from './decodeRecord.js';
import type { TableShape } from './TableShape.js';

export interface UnplacedRow {
  /** The table the row was found in or fits by shape; null when it fits none. */
  table: string | null;
  rowid: number | bigint;
  values: readonly SqlValue[];
  page: number;
  why: string;
}

/**
 * Rows a salvage found but did not put into a table (deleted rows on free pages, rows that fit no
 * table, rows that clash with one already salvaged), written as JSONL so none is dropped:
 * `{"table","rowid","row"|"values","blobs","bigints"?,"text_bytes"?,"page","why"}`: `row` by column
 * name when the table is known, BLOBs base64 (named in `blobs`), integers beyond 2^53 as decimal
 * strings (in `bigints`), TEXT that is not UTF-8 base64 (in `text_bytes`). Without a file, rows are only counted.
 */
export class UnplacedRows {
  count = 0;
  readonly byWhy: Record<string, number> = {};
  private fd: number | undefined;

  constructor(private readonly file?: string) {}

  add(row: UnplacedRow, shape?: TableShape): void {
    this.count++;
    this.byWhy[row.why] = (this.byWhy[row.why] ?? 0) + 1;
    if (!this.file) return;
    this.fd ??= openSync(this.file, 'wx');
    writeSync(this.fd, JSON.stringify(toJson(row, shape)) + '\n');
  }

  /** Flushes the file to disk; true when one was written. */
  close(): boolean {
    if (this.fd === undefined) return false;
    fsyncSync(this.fd);
    closeSync(this.fd);
    this.fd = undefined;
    return true;
  }
}

function toJson(r: UnplacedRow, shape?: TableShape): Record<string, unknown> {
  const blobs: Array<string | number> = [];
  const bigints: Array<string | number> = [];
  const textBytes: Array<string | number> = [];
  const named = shape && r.values.length <= shape.columns.length;
  const out: Record<string, unknown> | unknown[] = named ? {} : [];
  r.values.forEach((v, i) => {
    const key = named ? shape.columns[i]!.name : i;
    let j: unknown = v;
    if (Buffer.isBuffer(v)) {
      j = v.toString('base64');
      blobs.push(key);
    } else if (v instanceof TextBytes) {
      j = v.bytes.toString('base64');
      textBytes.push(key);
    } else if (typeof v === 'bigint') {
      j = v.toString();
      bigints.push(key);
    } else if (typeof v === 'number' && !Number.isFinite(v)) j = String(v);
    if (named) (out as Record<string, unknown>)[key as string] = j;
    else (out as unknown[]).push(j);
  });
  if (named && shape.ipk >= 0 && r.values[shape.ipk] === null) (out as Record<string, unknown>)[shape.columns[shape.ipk]!.name] = typeof r.rowid === 'bigint' ? r.rowid.toString() : r.rowid;
  return {
    table: r.table,
    rowid: typeof r.rowid === 'bigint' ? r.rowid.toString() : r.rowid,
    [named ? 'row' : 'values']: out,
    blobs,
    ...(bigints.length > 0 && { bigints }),
    ...(textBytes.length > 0 && { text_bytes: textBytes }),
    page: r.page,
    why: r.why,
  };
}
