/** B-tree page types (the first byte of the page header). */
export const INDEX_INTERIOR = 2;
export const TABLE_INTERIOR = 5;
export const INDEX_LEAF = 10;
export const TABLE_LEAF = 13;

export interface BtreePage {
  type: number;
  /** Offsets of the cells whose pointers are in range; out-of-range pointers are left out (counted in badPointers). */
  cells: number[];
  badPointers: number;
  /** Interior pages: the right-most child. */
  rightChild: number;
}

/**
 * Parses the header and cell pointer array of page `page` (bytes of one page, `usable` of them
 * usable; page 1's header starts at 100). Undefined when it is not a b-tree page at all: an unknown
 * type byte, or a cell count whose pointer array would not fit. Each pointer is checked against
 * the page (after the pointer array, before the reserved bytes), so no cell is read from outside it.
 */
export function readBtreePage(page: Buffer, usable: number, headerAt = 0, assumeType?: number): BtreePage | undefined {
  if (page.length < headerAt + 8) return undefined;
  // `assumeType`: the type a damaged type byte must have had (a page the parent's tree says is a leaf).
  const type = assumeType ?? page[headerAt]!;
  if (type !== INDEX_INTERIOR && type !== TABLE_INTERIOR && type !== INDEX_LEAF && type !== TABLE_LEAF) return undefined;
  const interior = type === INDEX_INTERIOR || type === TABLE_INTERIOR;
  const headerSize = interior ? 12 : 8;
  if (page.length < headerAt + headerSize) return undefined;
  const n = page.readUInt16BE(headerAt + 3);
  const first = headerAt + headerSize + 2 * n;
  if (first > usable || first > page.length) return undefined;
  const fragmented = page[headerAt + 7]!;
  if (fragmented > 60) return undefined; // SQLite never lets it pass 60
  const cells: number[] = [];
  let badPointers = 0;
  for (let i = 0; i < n; i++) {
    const p = page.readUInt16BE(headerAt + headerSize + 2 * i);
    if (p < first || p + (interior ? 4 : 2) > usable) badPointers++;
    else cells.push(p);
  }
  return { type, cells, badPointers, rightChild: interior ? page.readUInt32BE(headerAt + 8) : 0 };
}
