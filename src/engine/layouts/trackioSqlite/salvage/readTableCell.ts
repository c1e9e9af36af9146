import type { PageSource } from './openPages.js';
import { readVarint } from './readVarint.js';

export type TableCell =
  | { rowid: number | bigint; payload: Buffer; partial?: undefined }
  /** The overflow chain broke: `payload` holds the bytes that could be read, the rest is lost. */
  | { rowid: number | bigint; payload: Buffer; partial: string };

/** Payload bytes a table-leaf cell keeps on its own page (the rest goes to overflow pages), per the file format. */
export function localPayload(p: number, usable: number): number {
  const x = usable - 35;
  if (p <= x) return p;
  const m = Math.floor(((usable - 12) * 32) / 255) - 23;
  const k = m + ((p - m) % (usable - 4));
  return k <= x ? k : m;
}

/**
 * Reads the table-leaf cell at `offset` of `page`: its rowid and whole payload, following the
 * overflow chain page by page. Every overflow pointer is checked (inside the database, not seen
 * before in this chain, no longer than the payload needs), so a damaged chain ends the read
 * instead of looping or reading outside the file. Undefined when the cell itself is malformed.
 */
export function readTableCell(src: PageSource, page: Buffer, offset: number, present = page.length): TableCell | undefined {
  const usable = Math.min(src.header.usable, present);
  const size = readVarint(page, offset, usable);
  if (!size || typeof size.value !== 'number' || size.value < 0) return undefined;
  const rowid = readVarint(page, size.next, usable);
  if (!rowid) return undefined;
  const total = size.value;
  // No payload can be larger than the pages that could hold it.
  if (total > src.pageCount * usable) return undefined;
  const local = localPayload(total, usable);
  const start = rowid.next;
  if (start + local + (local < total ? 4 : 0) > usable) return undefined;
  if (local === total) return { rowid: rowid.value, payload: page.subarray(start, start + total) };
  const payload = Buffer.alloc(total);
  page.copy(payload, 0, start, start + local);
  let got = local;
  let next = page.readUInt32BE(start + local);
  const seen = new Set<number>();
  const chunk = usable - 4;
  while (got < total) {
    if (next < 2 || next > src.pageCount || seen.has(next)) return { rowid: rowid.value, payload: payload.subarray(0, got), partial: `overflow page ${next} is out of range or repeats` };
    seen.add(next);
    const ov = src.page(next);
    if (!ov || src.present(next) < 4 + Math.min(chunk, total - got)) return { rowid: rowid.value, payload: payload.subarray(0, got), partial: `overflow page ${next} is missing (the file ends before it)` };
    const n = Math.min(chunk, total - got);
    ov.copy(payload, got, 4, 4 + n);
    got += n;
    next = ov.readUInt32BE(0);
  }
  return { rowid: rowid.value, payload };
}

/** Only the rowid of a table-leaf cell (for checking a tree's order without reading payloads). */
export function readCellRowid(page: Buffer, offset: number, usable: number): number | bigint | undefined {
  const size = readVarint(page, offset, usable);
  if (!size) return undefined;
  return readVarint(page, size.next, usable)?.value;
}
