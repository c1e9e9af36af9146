import type { SqliteDatabase } from '../layouts/trackioSqlite/loadSqlite.js';
import type { RowDiff, RowExample } from './CompareResult.js';

/** The schema names of the two sides in one connection: A is `main`, B is attached as `b`. */
export type SchemaName = 'main' | 'b';

/**
 * How one side's table is read: the column of the row's identity (log_id, alert_id, id; absent
 * when the side's schema has none), its run, its place in the run (step or timestamp; none for
 * configs) and its content (an SQL expression over the table alias, giving one BLOB compared byte
 * for byte).
 */
export interface RowSource {
  table: string;
  id?: string;
  run: string;
  at?: string;
  content: (alias: string) => string;
}

/**
 * Every row that is not shared, with its row ids (for planning a merge): `differ` pairs one row of
 * A with one of B; `only-in-a` / `only-in-b` name one row of that side.
 */
export interface RowEvent {
  kind: 'only-in-a' | 'only-in-b' | 'differ';
  run: string;
  at: unknown;
  rowIdA?: number;
  rowIdB?: number;
  /** only-in-b, for a merge: why B's row cannot come in although A lacks it (the registry's references). */
  held?: string;
}

export interface TableRowsDiff {
  /** Rows on each side. */
  a: number;
  b: number;
  total: RowDiff;
  perRun: Map<string, RowDiff>;
  examples: Map<string, RowExample[]>;
}

/**
 * The rows of one table that A (`main`) and B (attached as `b`) do not share, computed by SQLite in
 * one connection, so only the differences cross into JavaScript (a million equal rows cost SQLite's
 * time, not a JavaScript object each):
 * 1. rows carrying an identity on both sides (Trackio's log_id, ...) are joined by it through its
 *    unique index: same identity with another run, place or content is one row that differs;
 * 2. every other row (no identity, or one the other side lacks, as when Trackio re-inserts a renamed
 *    run's rows without log_id) is grouped by run, place and content over both sides (SQLite's
 *    sorter, which spills to a temp file, not memory): a group with as many rows on both sides is
 *    shared; the surplus of a side is unmatched. Within a run and place, unmatched rows of A and B
 *    pair up as rows that differ; the rest are only on their side.
 * Rows come back grouped by run and place, so JavaScript holds one such group at a time.
 */
export function diffTableRows(
  db: SqliteDatabase,
  srcA: RowSource | undefined,
  srcB: RowSource | undefined,
  known?: { a: number; b: number },
  onRow?: (e: RowEvent) => void,
  maxExamples = 5,
): TableRowsDiff {
  const table = (srcA ?? srcB)!.table;
  const count = (schema: SchemaName) => db.prepare(`SELECT count(*) FROM ${schema}."${table}"`).pluck().get() as number;
  const out: TableRowsDiff = { a: known?.a ?? (srcA ? count('main') : 0), b: known?.b ?? (srcB ? count('b') : 0), total: zero(), perRun: new Map(), examples: new Map() };
  const note = (kind: RowExample['kind'], run: unknown, at: unknown, n: number, rowIdA?: number | null, rowIdB?: number | null, logId?: unknown): void => {
    if (n <= 0) return;
    const name = String(run);
    let diff = out.perRun.get(name);
    if (!diff) out.perRun.set(name, (diff = zero()));
    const key = kind === 'only-in-a' ? 'onlyInA' : kind === 'only-in-b' ? 'onlyInB' : 'differ';
    diff[key] += n;
    out.total[key] += n;
    let list = out.examples.get(name);
    if (!list) out.examples.set(name, (list = []));
    if (list.length >= maxExamples) return;
    const ex: RowExample = { kind, table, at: typeof at === 'number' || typeof at === 'string' ? at : null };
    if (typeof rowIdA === 'number') ex.rowIdA = rowIdA;
    if (typeof rowIdB === 'number') ex.rowIdB = rowIdB;
    if (typeof logId === 'string') ex.logId = logId;
    list.push(ex);
  };

  // Identities count only when both sides have some (one probe of the partial unique index each):
  // a side without any is matched by content alone, with no lookups.
  const hasIdentities = (src: RowSource | undefined, schema: SchemaName) =>
    Boolean(src?.id && db.prepare(`SELECT 1 FROM ${schema}."${table}" WHERE "${src.id}" IS NOT NULL LIMIT 1`).pluck().get());
  const byIdentity = hasIdentities(srcA, 'main') && hasIdentities(srcB, 'b');
  if (byIdentity) {
    // A in table order (sequential reads), each row's identity looked up in B's unique index.
    const a = srcA!;
    const b = srcB!;
    const same = `x."${a.run}" IS y."${b.run}" AND ${a.at ? `x."${a.at}"` : 'NULL'} IS ${b.at ? `y."${b.at}"` : 'NULL'} AND (${a.content('x')}) IS (${b.content('y')})`;
    const sql = `SELECT x."${a.run}", ${a.at ? `x."${a.at}"` : 'NULL'}, x.rowid, y.rowid, x."${a.id}" FROM main."${table}" x NOT INDEXED JOIN b."${table}" y ON y."${b.id}" = x."${a.id}" WHERE NOT (${same})`;
    for (const [run, at, ra, rb, id] of db.prepare(sql).raw(true).iterate() as IterableIterator<[unknown, unknown, number, number, unknown]>) {
      note('differ', run, at, 1, ra, rb, id);
      onRow?.({ kind: 'differ', run: String(run), at, rowIdA: ra, rowIdB: rb });
    }
  }

  const rest = (src: RowSource, schema: SchemaName, other: RowSource | undefined): string => {
    const inA = schema === 'main' ? 1 : 0;
    const otherSchema = schema === 'main' ? 'b' : 'main';
    const where = byIdentity ? ` WHERE x."${src.id}" IS NULL OR NOT EXISTS (SELECT 1 FROM ${otherSchema}."${table}" y WHERE y."${other!.id}" = x."${src.id}")` : '';
    return `SELECT x."${src.run}" AS r, ${src.at ? `x."${src.at}"` : 'NULL'} AS s, ${src.content('x')} AS m, ${inA} AS na, ${1 - inA} AS nb, ${inA ? 'x.rowid' : 'NULL'} AS ra, ${inA ? 'NULL' : 'x.rowid'} AS rb FROM ${schema}."${table}" x${where}`;
  };
  const parts = [srcA && rest(srcA, 'main', srcB), srcB && rest(srcB, 'b', srcA)].filter(Boolean);
  // The row ids of a group are listed only for a row listener: for a count, min() is enough.
  const ids = onRow ? 'group_concat(ra), group_concat(rb)' : 'NULL, NULL';
  const sql = `SELECT r, s, sum(na), sum(nb), min(ra), min(rb), ${ids} FROM (${parts.join(' UNION ALL ')}) GROUP BY r, s, m HAVING sum(na) != sum(nb) ORDER BY r, s, m`;
  // One (run, place) group at a time: its surplus rows on each side, with an example row id.
  let group: { run: unknown; at: unknown; a: number; b: number; ra?: number; rb?: number; idsA: number[]; idsB: number[] } | undefined;
  const flush = () => {
    if (!group) return;
    const paired = Math.min(group.a, group.b);
    if (onRow) {
      const run = String(group.run);
      for (let k = 0; k < group.idsA.length || k < group.idsB.length; k++) {
        const [rowIdA, rowIdB] = [group.idsA[k], group.idsB[k]];
        onRow({ kind: k < paired ? 'differ' : rowIdA !== undefined ? 'only-in-a' : 'only-in-b', run, at: group.at, rowIdA, rowIdB });
      }
    }
    note('differ', group.run, group.at, paired, group.ra, group.rb);
    note('only-in-a', group.run, group.at, group.a - paired, group.ra);
    note('only-in-b', group.run, group.at, group.b - paired, undefined, group.rb);
  };
  const surplus = (list: unknown, n: number): number[] => (typeof list === 'string' ? list.split(',').map(Number).slice(-n) : []);
  for (const [run, at, na, nb, ra, rb, listA, listB] of db.prepare(sql).raw(true).iterate() as IterableIterator<[unknown, unknown, number, number, number | null, number | null, unknown, unknown]>) {
    if (!group || group.run !== run || group.at !== at) {
      flush();
      group = { run, at, a: 0, b: 0, idsA: [], idsB: [] };
    }
    // Rows of one content group are interchangeable: the surplus is any n of them.
    if (na > nb) {
      group.a += na - nb;
      group.ra ??= ra ?? undefined;
      if (onRow) group.idsA.push(...surplus(listA, na - nb));
    } else {
      group.b += nb - na;
      group.rb ??= rb ?? undefined;
      if (onRow) group.idsB.push(...surplus(listB, nb - na));
    }
  }
  flush();
  return out;
}

function zero(): RowDiff {
  return { onlyInA: 0, onlyInB: 0, differ: 0 };
}
