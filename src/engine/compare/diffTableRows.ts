import type { SqliteDatabase } from '../sqlite/loadSqlite.js';
import type { RowDiff, RowExample } from './CompareResult.js';
import { sqliteCompare } from './sqliteOrder.js';

/**
 * How one side's table is read: SQL expressions for the row's identity (log_id, alert_id, id;
 * absent when the side's schema has none), its run, its place in the run (step or timestamp) and
 * its content (one BLOB the side compares byte for byte).
 */
export interface RowSource {
  table: string;
  id?: string;
  run: string;
  at: string;
  content: string;
}

export interface TableRowsDiff {
  /** Rows read on each side. */
  a: number;
  b: number;
  total: RowDiff;
  perRun: Map<string, RowDiff>;
  examples: Map<string, RowExample[]>;
}

/** [run, at, content, rowid, id] */
type Row = [unknown, unknown, Buffer | null, number, string | null];

/**
 * The rows two databases' tables do not share, read as two sorted streams and merge-joined, so
 * memory holds a group of rows of one run and step, not a table:
 * 1. rows carrying an identity on both sides, ordered by it: same identity, same run, place and
 *    content: shared; same identity, anything else: one row that differs;
 * 2. every other row (no identity, or an identity the other side lacks, as when Trackio re-inserts a
 *    renamed run's rows without log_id), ordered by run, place and content: equal rows are shared;
 *    within a run and place, unmatched rows of A and B pair up as rows that differ, the rest are
 *    only on their side.
 * Rows of step 1 whose identity the other side lacks wait in memory for step 2: the differences,
 * usually few (all rows, when one side has identities and the other none).
 */
export function diffTableRows(dbA: SqliteDatabase | undefined, srcA: RowSource | undefined, dbB: SqliteDatabase | undefined, srcB: RowSource | undefined, maxExamples = 5): TableRowsDiff {
  const table = (srcA ?? srcB)!.table;
  const out: TableRowsDiff = { a: 0, b: 0, total: zero(), perRun: new Map(), examples: new Map() };
  const note = (kind: RowExample['kind'], run: unknown, at: unknown, ra: Row | undefined, rb: Row | undefined): void => {
    const name = String(run);
    let diff = out.perRun.get(name);
    if (!diff) out.perRun.set(name, (diff = zero()));
    const key = kind === 'only-in-a' ? 'onlyInA' : kind === 'only-in-b' ? 'onlyInB' : 'differ';
    diff[key]++;
    out.total[key]++;
    let list = out.examples.get(name);
    if (!list) out.examples.set(name, (list = []));
    if (list.length >= maxExamples) return;
    const ex: RowExample = { kind, table, at: typeof at === 'number' || typeof at === 'string' ? at : null };
    if (ra) ex.rowIdA = ra[3];
    if (rb) ex.rowIdB = rb[3];
    const logId = ra?.[4] ?? rb?.[4];
    if (logId) ex.logId = logId;
    list.push(ex);
  };

  const byIdentity = Boolean(srcA?.id && srcB?.id);
  const leftA: Row[] = [];
  const leftB: Row[] = [];
  if (byIdentity) {
    const ia = rows(dbA!, srcA!, 'identity');
    const ib = rows(dbB!, srcB!, 'identity');
    let ra = ia.next();
    let rb = ib.next();
    while (!ra.done || !rb.done) {
      const c = ra.done ? 1 : rb.done ? -1 : sqliteCompare(ra.value[4], rb.value[4]);
      // Rows left for step 2 are counted there.
      if (c < 0) {
        leftA.push(copy(ra.value));
        ra = ia.next();
      } else if (c > 0) {
        leftB.push(copy(rb.value));
        rb = ib.next();
      } else {
        out.a++;
        out.b++;
        const [x, y] = [ra.value, rb.value];
        if (sqliteCompare(x[0], y[0]) !== 0 || sqliteCompare(x[1], y[1]) !== 0 || sqliteCompare(x[2], y[2]) !== 0) note('differ', x[0], x[1], x, y);
        ra = ia.next();
        rb = ib.next();
      }
    }
    leftA.sort(byPlace);
    leftB.sort(byPlace);
  }

  const sa = merged(srcA ? rows(dbA!, srcA, byIdentity ? 'rest' : 'all') : none(), leftA);
  const sb = merged(srcB ? rows(dbB!, srcB, byIdentity ? 'rest' : 'all') : none(), leftB);
  let ha = sa.next();
  let hb = sb.next();
  const ga: Row[] = [];
  const gb: Row[] = [];
  while (!ha.done || !hb.done) {
    // The next (run, place) group: the smaller head's.
    const lead = ha.done ? hb.value! : hb.done ? ha.value : groupCompare(ha.value, hb.value) <= 0 ? ha.value : hb.value!;
    ga.length = 0;
    gb.length = 0;
    while (!ha.done && groupCompare(ha.value, lead) === 0) {
      ga.push(copy(ha.value));
      ha = sa.next();
    }
    while (!hb.done && groupCompare(hb.value, lead) === 0) {
      gb.push(copy(hb.value));
      hb = sb.next();
    }
    out.a += ga.length;
    out.b += gb.length;
    // Both groups are sorted by content: walk them together.
    const ua: Row[] = [];
    const ub: Row[] = [];
    let i = 0;
    let j = 0;
    while (i < ga.length || j < gb.length) {
      const c = i >= ga.length ? 1 : j >= gb.length ? -1 : sqliteCompare(ga[i]![2], gb[j]![2]);
      if (c === 0) {
        i++;
        j++;
      } else if (c < 0) ua.push(ga[i++]!);
      else ub.push(gb[j++]!);
    }
    const paired = Math.min(ua.length, ub.length);
    for (let k = 0; k < paired; k++) note('differ', lead[0], lead[1], ua[k], ub[k]);
    for (let k = paired; k < ua.length; k++) note('only-in-a', lead[0], lead[1], ua[k], undefined);
    for (let k = paired; k < ub.length; k++) note('only-in-b', lead[0], lead[1], undefined, ub[k]);
  }
  return out;
}

function zero(): RowDiff {
  return { onlyInA: 0, onlyInB: 0, differ: 0 };
}

/** better-sqlite3's raw mode may reuse nothing, but a row kept past next() is copied to be sure. */
function copy(r: Row): Row {
  return [r[0], r[1], r[2], r[3], r[4]];
}

function rows(db: SqliteDatabase, src: RowSource, part: 'identity' | 'rest' | 'all'): IterableIterator<Row> {
  const cols = `${src.run}, ${src.at}, ${src.content}, rowid, ${src.id ?? 'NULL'}`;
  const from = `FROM "${src.table}"`;
  const sql =
    part === 'identity'
      ? `SELECT ${cols} ${from} WHERE ${src.id} IS NOT NULL ORDER BY ${src.id}`
      : `SELECT ${cols} ${from}${part === 'rest' ? ` WHERE ${src.id} IS NULL` : ''} ORDER BY 1, 2, 3`;
  return db.prepare(sql).raw(true).iterate() as IterableIterator<Row>;
}

function* none(): IterableIterator<Row> {}

function groupCompare(x: Row, y: Row): number {
  return sqliteCompare(x[0], y[0]) || sqliteCompare(x[1], y[1]);
}

function byPlace(x: Row, y: Row): number {
  return groupCompare(x, y) || sqliteCompare(x[2], y[2]);
}

/** Two sorted sources as one sorted stream. */
function* merged(stream: IterableIterator<Row>, list: Row[]): IterableIterator<Row> {
  let i = 0;
  for (const r of stream) {
    while (i < list.length && byPlace(list[i]!, r) < 0) yield list[i++]!;
    yield r;
  }
  while (i < list.length) yield list[i++]!;
}
