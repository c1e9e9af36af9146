import { TABLE_INTERIOR, TABLE_LEAF, readBtreePage } from './readBtreePage.js';
import type { DbFile } from './DbFile.js';

const MAGIC = Buffer.from('SQLite format 3\0', 'latin1');

export interface DbHeaderFacts {
  /** The 16-byte magic string is intact. */
  magicOk: boolean;
  pageSize: number;
  /** The page size was not in the header (damaged) and was inferred from the pages. */
  pageSizeInferred: boolean;
  usable: number;
  /** 1 UTF-8, 2 UTF-16le, 3 UTF-16be. */
  encoding: number;
  freelistTrunk: number;
  freelistCount: number;
  /** The header says WAL (file format versions 2). */
  wal: boolean;
}

/** Pages of a database file (with a -wal's committed pages over them), each checked against the file's size. */
export interface PageSource {
  header: DbHeaderFacts;
  pageCount: number;
  /** Page `n` (1-based), zero-padded when the file ends inside it; undefined outside the database. */
  page(n: number): Buffer | undefined;
  /** Bytes of page `n` that are really there (less than the page size only for the page a truncated file ends in). */
  present(n: number): number;
  /** The file ends before the database does: it is not a whole number of pages, or shorter than its header's valid page count. */
  truncated: boolean;
}

/**
 * Reads the header tolerantly: a damaged magic string or page size does not stop it. The page
 * size comes from the header when it is a power of two from 512 to 65536 and the pages bear it
 * out, else from the size at which the file's pages parse as b-tree pages (see pageSizeScore).
 */
export function readHeaderFacts(file: DbFile): DbHeaderFacts {
  const h = Buffer.alloc(100);
  file.read(0, 100).copy(h);
  const magicOk = h.subarray(0, 16).equals(MAGIC);
  const raw = h.readUInt16BE(16);
  const fromHeader = raw === 1 ? 65536 : raw;
  const plausible = fromHeader >= 512 && fromHeader <= 65536 && (fromHeader & (fromHeader - 1)) === 0;
  let pageSize = fromHeader;
  let pageSizeInferred = false;
  if (!plausible || (!magicOk && file.size > fromHeader && pageSizeScore(file, fromHeader) === 0)) {
    let best = 0;
    pageSize = plausible ? fromHeader : 4096;
    for (let p = 512; p <= 65536; p *= 2) {
      const score = pageSizeScore(file, p);
      if (score > best) {
        best = score;
        pageSize = p;
      }
    }
    pageSizeInferred = pageSize !== fromHeader;
  }
  // Reserved bytes: Trackio never sets any; a non-zero value is trusted only from an intact header
  // and when no sampled page has cells in the bytes it would reserve (else it is a damaged byte).
  let reserved = magicOk && h[20]! <= 64 ? h[20]! : 0;
  if (reserved > 0 && cellsReach(file, pageSize, pageSize - reserved)) reserved = 0;
  const encoding = h.readUInt32BE(56);
  return {
    magicOk,
    pageSize,
    pageSizeInferred,
    usable: pageSize - reserved,
    encoding: encoding === 2 || encoding === 3 ? encoding : 1,
    freelistTrunk: h.readUInt32BE(32),
    freelistCount: h.readUInt32BE(36),
    wal: h[18] === 2 || h[19] === 2,
  };
}

/**
 * How many of up to 64 sampled pages, read at page size `p`, are table b-tree pages whose cells
 * reach into the second half of the page (cells fill a page from its end): a page size that is
 * too small cuts pages in half, one too large leaves the upper half of each "page" empty.
 */
export function pageSizeScore(file: DbFile, p: number): number {
  const pages = Math.floor(file.size / p);
  if (pages < 2) return 0;
  const step = Math.max(1, Math.floor((pages - 1) / 64));
  let score = 0;
  for (let n = 2; n <= pages; n += step) {
    const buf = file.read((n - 1) * p, p);
    const page = readBtreePage(buf, p);
    if (!page || page.badPointers > 0 || page.cells.length === 0) continue;
    if (page.type !== TABLE_LEAF && page.type !== TABLE_INTERIOR) continue;
    if (Math.max(...page.cells) >= p / 2) score++;
  }
  return score;
}

/** Whether any of up to 64 sampled b-tree pages has a cell pointer at or past `usable`. */
function cellsReach(file: DbFile, p: number, usable: number): boolean {
  const pages = Math.floor(file.size / p);
  const step = Math.max(1, Math.floor((pages - 1) / 64));
  for (let n = 2; n <= pages; n += step) {
    const page = readBtreePage(file.read((n - 1) * p, p), p);
    if (page && page.cells.some((c) => c >= usable)) return true;
  }
  return false;
}

/** Pages of `file` at the header's (or inferred) page size, with `walPages` (committed -wal frames) read over them. */
export function openPages(file: DbFile, walPages?: { pages: Map<number, Buffer>; dbSize: number }): PageSource {
  const header = readHeaderFacts(file);
  const size = header.pageSize;
  let pageCount = Math.ceil(file.size / size);
  if (walPages && walPages.dbSize > 0) pageCount = walPages.dbSize;
  // Page 1 as the -wal has it decides the freelist, when the -wal holds it.
  const first = walPages?.pages.get(1);
  if (first) {
    header.freelistTrunk = first.readUInt32BE(32);
    header.freelistCount = first.readUInt32BE(36);
  }
  // The header's page count is valid only when its version-valid-for number matches the change counter.
  const h = file.read(0, 100);
  const declared = h.length === 100 && h.readUInt32BE(92) === h.readUInt32BE(24) ? h.readUInt32BE(28) : 0;
  const truncated = file.size % size !== 0 || (!walPages?.dbSize && declared > pageCount);
  return {
    header,
    pageCount,
    truncated,
    page(n) {
      if (!Number.isInteger(n) || n < 1 || n > pageCount) return undefined;
      const fromWal = walPages?.pages.get(n);
      if (fromWal) return fromWal;
      const buf = file.read((n - 1) * size, size);
      if (buf.length === size) return buf;
      if (buf.length === 0) return undefined;
      const padded = Buffer.alloc(size);
      buf.copy(padded);
      return padded;
    },
    present(n) {
      if (walPages?.pages.has(n)) return size;
      return Math.max(0, Math.min(size, file.size - (n - 1) * size));
    },
  };
}
