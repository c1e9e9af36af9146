import { decodeRecord } from './decodeRecord.js';
import type { PageSource } from './openPages.js';
import { TABLE_LEAF, readBtreePage } from './readBtreePage.js';
import { readFreelist } from './readFreelist.js';
import { readTableCell } from './readTableCell.js';
import { walkTableTree, type TreeWalk } from './walkTableTree.js';

/** A row of sqlite_schema found away from page 1 (the schema's tree cut off): metadata, not data. */
export function looksLikeSchemaRow(v: readonly unknown[]): boolean {
  return v.length === 5 && ['table', 'index', 'view', 'trigger'].includes(v[0] as string) && typeof v[1] === 'string' && typeof v[2] === 'string' && typeof v[3] === 'number';
}

export interface SchemaEntry {
  type: string;
  name: string;
  tblName: string;
  rootpage: number;
  sql: string | null;
}

export interface DatabaseScan {
  src: PageSource;
  /** sqlite_schema's rows, when page 1's tree holds a usable schema (one with a metrics table). */
  schema?: SchemaEntry[];
  /** Every page and cell of sqlite_schema's tree was read: no entry can be missing. */
  schemaComplete: boolean;
  /** Each table's b-tree, by table name (schema known only). */
  trees: Map<string, TreeWalk>;
  freelist: Set<number>;
  /** Table-leaf pages no tree reached: on the freelist, cut off by damage above them, or every leaf when the schema is unreadable. */
  orphans: number[];
  /** Damaged and misplaced pages found walking the trees: what tells a -wal that belongs from one that does not. */
  anomalies: number;
}

/**
 * Finds where the rows are, without decoding them: sqlite_schema from page 1, each table's b-tree
 * from its root, the freelist, and every table-leaf page no tree reached. Pages are claimed by at
 * most one tree, so no page (and no row) is counted twice.
 */
export function scanDatabase(src: PageSource): DatabaseScan {
  const claimed = new Uint8Array(src.pageCount + 1);
  const trees = new Map<string, TreeWalk>();
  const schemaWalk = walkTableTree(src, 1, claimed);
  let schema: SchemaEntry[] | undefined;
  let schemaComplete = schemaWalk.damaged.length === 0 && schemaWalk.misplaced.length === 0;
  // The text encoding is a header field too: when the schema does not read in the one it names, the others are tried.
  for (const encoding of [src.header.encoding, 1, 2, 3]) {
    const { entries, unread, foreign } = readSchema(src, schemaWalk, encoding);
    if (entries.some((e) => e.type === 'table' && e.name === 'metrics')) {
      schema = entries;
      if (unread > 0) schemaComplete = false;
      src.header.encoding = encoding;
      // A damaged child pointer of sqlite_schema's root can lead to a leaf of a table: it is left for that table's tree.
      for (const n of foreign) claimed[n] = 0;
      break;
    }
  }
  let anomalies = schemaWalk.damaged.length + schemaWalk.misplaced.length;
  if (schema) {
    for (const e of schema) {
      if (e.type !== 'table' || e.rootpage < 2 || trees.has(e.name)) continue;
      const walk = walkTableTree(src, e.rootpage, claimed);
      trees.set(e.name, walk);
      anomalies += walk.damaged.length + walk.misplaced.length;
    }
  } else {
    anomalies += src.pageCount;
  }
  const freelist = readFreelist(src);
  const orphans: number[] = [];
  for (let n = 2; n <= src.pageCount; n++) {
    if (claimed[n]) continue;
    const buf = src.page(n);
    if (!buf || buf[0] !== TABLE_LEAF) continue;
    const page = readBtreePage(buf, src.header.usable);
    if (page && page.cells.length > 0) orphans.push(n);
  }
  return { src, ...(schema ? { schema } : {}), schemaComplete: !!schema && schemaComplete, trees, freelist, orphans, anomalies };
}

/** `foreign`: leaves of the walk (not page 1) none of whose cells is a schema row. */
function readSchema(src: PageSource, walk: TreeWalk, encoding: number): { entries: SchemaEntry[]; unread: number; foreign: number[] } {
  const entries: SchemaEntry[] = [];
  const foreign: number[] = [];
  let unread = 0;
  for (const n of walk.leaves) {
    const before = entries.length;
    const buf = src.page(n)!;
    const page = readBtreePage(buf, src.header.usable, n === 1 ? 100 : 0);
    const cells = walk.cellsOf.get(n) ?? page?.cells;
    if (!cells) continue;
    unread += walk.cellsOf.has(n) ? 1 : (page?.badPointers ?? 0);
    for (const c of cells) {
      const cell = readTableCell(src, buf, c);
      const v = cell && cell.partial === undefined ? decodeRecord(cell.payload, encoding) : undefined;
      const [type, name, tblName, rootpage, sql] = v ?? [];
      if (!v || v.length !== 5 || typeof type !== 'string' || typeof name !== 'string' || typeof tblName !== 'string' || typeof rootpage !== 'number' || !['table', 'index', 'view', 'trigger'].includes(type) || (sql !== null && typeof sql !== 'string')) {
        unread++;
        continue;
      }
      entries.push({ type, name, tblName, rootpage, sql: sql as string | null });
    }
    if (n !== 1 && entries.length === before && cells.length > 0) foreign.push(n);
  }
  return { entries, unread, foreign };
}
