import { decodeRecord } from './decodeRecord.js';
import type { PageSource } from './openPages.js';
import { localPayload, readTableCell } from './readTableCell.js';
import { readVarint } from './readVarint.js';

export interface LeafCells {
  /** Offsets of the page's cells, in rowid order. */
  cells: number[];
  /** The header and pointer array do not account for the page (see readLeafCells): some cells were found by scanning. */
  damaged: boolean;
  /** Cells found by scanning, not through a pointer. */
  carved: number;
}

type Rowid = number | bigint;

/** Where the table-leaf cell at `o` ends, and its rowid; undefined when no cell can start there. */
function extentAt(buf: Buffer, o: number, usable: number, pageCount: number): { end: number; rowid: Rowid } | undefined {
  const size = readVarint(buf, o, usable);
  if (!size || typeof size.value !== 'number' || size.value < 1 || size.value > pageCount * usable) return undefined;
  const rowid = readVarint(buf, size.next, usable);
  if (!rowid) return undefined;
  const local = localPayload(size.value, usable);
  const end = rowid.next + local + (local < size.value ? 4 : 0);
  return end <= usable ? { end, rowid: rowid.value } : undefined;
}

const inBounds = (r: Rowid, lo: Rowid | null, hi: Rowid | null) => (lo === null || r > lo) && (hi === null || r <= hi);

/**
 * The cells of a table-leaf page, also when its header (cell count, content start, fragment count)
 * or cell pointer array is damaged. The pointers are trusted only when they account for the page:
 * every one points at a cell inside the content area, no two overlap, and the cells, the freeblocks
 * and the fragmented bytes cover the content area exactly (as SQLite keeps it). Otherwise the parts
 * of the content area no good pointer or freeblock covers are scanned for cells: a payload length
 * and rowid that fit, a rowid inside the bounds the parent gives the page (lo, hi], and a payload
 * that decodes as a record exactly (decodeRecord) with its overflow chain whole. Freeblocks (where
 * deleted rows lie) are not scanned when their chain is intact. `strict` (a page whose type byte is
 * damaged, so it may not be a leaf of this tree at all): no scan; the pointers are used only when
 * every one points at a cell inside the bounds, in ascending rowid order.
 */
export function readLeafCells(src: PageSource, buf: Buffer, where: { headerAt: number; present: number; lo: Rowid | null; hi: Rowid | null; strict: boolean }): LeafCells {
  const { headerAt, lo, hi } = where;
  const usable = Math.min(src.header.usable, buf.length, where.present);
  const count = buf.readUInt16BE(headerAt + 3);
  const arrayEnd = headerAt + 8 + 2 * count;
  const rawStart = buf.readUInt16BE(headerAt + 5);
  const contentStart = rawStart === 0 ? 65536 : rawStart;
  const taken: Array<{ at: number; end: number; rowid?: Rowid }> = [];
  let bad = arrayEnd > usable;
  if (!bad) {
    for (let i = 0; i < count; i++) {
      const p = buf.readUInt16BE(headerAt + 8 + 2 * i);
      const e = p >= arrayEnd ? extentAt(buf, p, usable, src.pageCount) : undefined;
      const prev = taken[taken.length - 1]?.rowid;
      if (!e || (where.strict && (!inBounds(e.rowid, lo, hi) || (prev !== undefined && e.rowid <= prev))) || taken.some((t) => p < t.end && t.at < e.end)) bad = true;
      else taken.push({ at: p, end: e.end, rowid: e.rowid });
    }
  }
  const free = freeblocks(buf, headerAt, usable);
  const covered = (free ?? []).reduce((n, f) => n + f.end - f.at, 0) + taken.reduce((n, t) => n + t.end - t.at, 0) + buf[headerAt + 7]!;
  const consistent = !bad && free !== undefined && contentStart <= usable && covered === usable - contentStart && taken.every((t) => t.at >= contentStart);
  const byRowid = (cells: typeof taken) => cells.filter((c) => c.rowid !== undefined).sort((a, b) => (a.rowid! < b.rowid! ? -1 : a.rowid! > b.rowid! ? 1 : 0)).map((c) => c.at);
  if (consistent) return { cells: byRowid(taken), damaged: false, carved: 0 };
  // A damaged type byte and damaged pointers: more likely not a leaf at all (an interior page's cells scan as plausible ones).
  if (where.strict) return { cells: bad ? [] : byRowid(taken), damaged: true, carved: 0 };

  // Scan what no good pointer and no freeblock covers, from where the content area can begin.
  const floor = !bad ? arrayEnd : headerAt + 8;
  let from = Math.min(...taken.map((t) => t.at), contentStart >= floor && contentStart <= usable ? contentStart : usable);
  if (!(from >= floor)) from = floor;
  const blocks = [...taken, ...(free ?? [])].sort((a, b) => a.at - b.at);
  const seen = new Set(taken.map((t) => String(t.rowid)));
  let carved = 0;
  let o = from;
  for (const gap of [...blocks, { at: usable, end: usable }]) {
    for (; o < Math.min(gap.at, usable); o++) {
      const e = extentAt(buf, o, usable, src.pageCount);
      if (!e || e.end > gap.at || !inBounds(e.rowid, lo, hi) || seen.has(String(e.rowid))) continue;
      const cell = readTableCell(src, buf, o, usable);
      const values = cell && cell.partial === undefined ? decodeRecord(cell.payload, src.header.encoding) : undefined;
      if (!values || values.length === 0) continue;
      taken.push({ at: o, end: e.end, rowid: e.rowid });
      seen.add(String(e.rowid));
      carved++;
      o = e.end - 1;
    }
    o = Math.max(o, gap.end);
  }
  return { cells: byRowid(taken), damaged: true, carved };
}

/** The page's freeblock chain, or undefined when it is not a chain SQLite could have written (ascending, inside the page, each at least 4 bytes). */
function freeblocks(buf: Buffer, headerAt: number, usable: number): Array<{ at: number; end: number }> | undefined {
  const out: Array<{ at: number; end: number }> = [];
  let at = buf.readUInt16BE(headerAt + 1);
  let prev = headerAt + 8;
  while (at !== 0) {
    if (at < prev || at + 4 > usable || out.length > usable / 4) return undefined;
    const size = buf.readUInt16BE(at + 2);
    if (size < 4 || at + size > usable) return undefined;
    out.push({ at, end: at + size });
    prev = at + size;
    at = buf.readUInt16BE(at);
  }
  return out;
}
