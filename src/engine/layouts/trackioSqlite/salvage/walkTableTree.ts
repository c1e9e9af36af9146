import type { PageSource } from './openPages.js';
import { TABLE_INTERIOR, TABLE_LEAF, readBtreePage } from './readBtreePage.js';
import { readCellRowid } from './readTableCell.js';
import { readLeafCells } from './readLeafCells.js';
import { readVarint } from './readVarint.js';

export interface TreeWalk {
  /** Leaf pages in key order. */
  leaves: number[];
  interiors: number[];
  /** Pages the tree points to that are not pages of a table b-tree, out of range, or seen twice. */
  damaged: number[];
  /** Leaf pages whose rows lie outside the key range their parent gives them: pages of another tree or of another database. */
  misplaced: number[];
  /**
   * Rowid ranges (lo, hi] the tree lost: below a damaged or misplaced page, as the parent's keys
   * bound it (null: unbounded). A row found on a page outside the tree belongs in the table only
   * if its rowid falls in one; elsewhere the tree holds the live rows and the page is an old copy.
   */
  lost: Array<{ lo: number | bigint | null; hi: number | bigint | null }>;
  /** Each leaf's rowid bounds, as its parents give them. */
  leafBounds: Map<number, { lo: number | bigint | null; hi: number | bigint | null }>;
  /** Leaves whose header or cell pointers are damaged, with the cells found on them (readLeafCells): read these, not the pointers. */
  cellsOf: Map<number, number[]>;
}

/** Whether `rowid` lies in one of the ranges a tree lost. */
export function inLostRange(walk: TreeWalk, rowid: number | bigint): boolean {
  return walk.lost.some((r) => (r.lo === null || rowid > r.lo) && (r.hi === null || rowid <= r.hi));
}

/**
 * Walks the table b-tree rooted at `root` depth-first, in key order, without reading payloads.
 * Each child pointer is checked (inside the database, never page 1 below the root, not already
 * claimed by this or another tree: `claimed` is shared across trees) so a cycle or a pointer into
 * another tree ends that branch. Each leaf's first and last rowid are checked against the bounds
 * its parents give it.
 */
export function walkTableTree(src: PageSource, root: number, claimed: Uint8Array): TreeWalk {
  const walk: TreeWalk = { leaves: [], interiors: [], damaged: [], misplaced: [], lost: [], leafBounds: new Map(), cellsOf: new Map() };
  const usable = src.header.usable;
  /** `leafLevel`: a sibling of this page is a leaf, so it is one too. */
  type Frame = { page: number; lo: number | bigint | null; hi: number | bigint | null; leafLevel?: boolean; parent?: { lo: number | bigint | null; hi: number | bigint | null } };
  // The root may be a leaf (a small table): with a damaged type byte it is tried as one too.
  const stack: Frame[] = [{ page: root, lo: null, hi: null, leafLevel: root !== 1 }];
  // A page the end of a truncated file cut off: the keys that name it are intact, its range is exactly theirs.
  const cutOff = (n: number) => src.truncated && (n > src.pageCount || src.present(n) < src.header.pageSize);
  while (stack.length > 0) {
    const { page: n, lo, hi, leafLevel, parent } = stack.pop()!;
    if (n < 1 || n > src.pageCount || claimed[n] || (n === 1 && root !== 1)) {
      walk.damaged.push(n);
      walk.lost.push(cutOff(n) ? { lo, hi } : (parent ?? { lo, hi }));
      continue;
    }
    const buf = src.page(n);
    const headerAt = n === 1 ? 100 : 0;
    let page = buf && readBtreePage(buf, usable, headerAt);
    const notTable = !page || (page.type !== TABLE_LEAF && page.type !== TABLE_INTERIOR);
    if (buf && (buf[headerAt] === TABLE_LEAF || (notTable && leafLevel))) {
      // A leaf, or a page whose siblings are leaves (its type byte damaged): its cells are read even when
      // the cell count or pointers are damaged. A damaged type byte: only cells whose rowids fit the bounds its parent gives.
      const strict = buf[headerAt] !== TABLE_LEAF;
      const leaf = readLeafCells(src, buf, { headerAt, present: src.present(n), lo, hi, strict });
      if ((leaf.damaged || strict) && leaf.cells.length > 0) {
        page = { type: TABLE_LEAF, cells: leaf.cells, badPointers: 0, rightChild: 0 };
        walk.cellsOf.set(n, leaf.cells);
        walk.damaged.push(n);
        walk.lost.push({ lo, hi });
      }
    }
    if (!buf || !page || (page.type !== TABLE_LEAF && page.type !== TABLE_INTERIOR)) {
      walk.damaged.push(n);
      // An index page where a table page should be: the pointer is damaged, and maybe the key beside it.
      // A page that is no b-tree page at all is damaged itself: the keys that name it still bound its rows.
      walk.lost.push(page && !cutOff(n) ? (parent ?? { lo, hi }) : { lo, hi });
      continue;
    }
    claimed[n] = 1;
    if (page.badPointers > 0) {
      walk.damaged.push(n);
      walk.lost.push({ lo, hi });
    }
    if (page.type === TABLE_LEAF) {
      walk.leaves.push(n);
      walk.leafBounds.set(n, { lo, hi });
      if (page.cells.length > 0) {
        const first = readCellRowid(buf, page.cells[0]!, usable);
        const last = readCellRowid(buf, page.cells[page.cells.length - 1]!, usable);
        if (first === undefined || last === undefined || (lo !== null && first <= lo) || (hi !== null && last > hi)) {
          walk.misplaced.push(n);
          walk.lost.push({ lo, hi });
        }
      }
      continue;
    }
    walk.interiors.push(n);
    // Children pushed in reverse so they pop in key order.
    const children: Frame[] = [];
    let prev = lo;
    for (const c of page.cells) {
      const child = buf.readUInt32BE(c);
      const key = readVarint(buf, c + 4, usable)?.value;
      if (key === undefined) {
        walk.damaged.push(n);
        walk.lost.push({ lo, hi });
        continue;
      }
      children.push({ page: child, lo: prev, hi: key });
      prev = key;
    }
    children.push({ page: page.rightChild, lo: prev, hi });
    const isLeaf = (c: Frame | undefined) => c !== undefined && c.page >= 2 && c.page <= src.pageCount && src.page(c.page)?.[0] === TABLE_LEAF;
    const childrenAreLeaves = isLeaf(children[children.length - 1]) || isLeaf(children[0]) || isLeaf(children[1]);
    // A child that cannot be read may be one a damaged cell of this page names: the keys around it may be damaged too, so its rows may lie anywhere in this page's range.
    for (let i = children.length - 1; i >= 0; i--) stack.push({ ...children[i]!, leafLevel: childrenAreLeaves, parent: { lo, hi } });
  }
  return walk;
}
