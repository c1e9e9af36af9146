import { isUtf8 } from 'node:buffer';
import type { SqliteDatabase } from './loadSqlite.js';
import type { JsonColumn } from './trackioSchema.js';

/** Rows per chunk: one aggregate query each, small enough that a chunk's bytes stay a few MB. */
const CHUNK_ROWS = 50_000;
/** When more of a chunk's rows need JavaScript than this share, the chunk is read whole, in one pass. */
const MANY_FLAGGED = 1 / 8;
const TYPE = Buffer.from('_type');
const ESCAPE = Buffer.from('\\u');

/** What the rows the caller never sees add up to, and how far the scan has gone. */
export interface RowTally {
  rows: number;
  /** Distinct TEXT run names (as the per-row scan would collect them); undefined when not wanted. */
  runs?: Set<string>;
  /** Every row with a rowid up to this one has been yielded or judged clean. */
  doneThrough: number;
}

/**
 * Whether the cells of `spec` can be judged in SQLite: SQLite's json_valid must mean what
 * JSON.parse means there, which holds for UTF-8 databases, and every rowid must be exact as a
 * JavaScript number; artifact manifests need their digests computed in JavaScript, so they always
 * take the per-row path.
 */
export function canJudgeInSqlite(db: SqliteDatabase, spec: JsonColumn): boolean {
  if (spec.shape === 'manifest' || db.pragma('encoding', { simple: true }) !== 'UTF-8') return false;
  // Rowids beyond 2^53 would not survive the trip through a JavaScript number.
  // Two queries: SQLite answers a lone min() or max() from the b-tree's ends, both together by a scan.
  const min = db.prepare(`SELECT min(rowid) FROM "${spec.table}"`).pluck().get() as number | null;
  const max = db.prepare(`SELECT max(rowid) FROM "${spec.table}"`).pluck().get() as number | null;
  return min === null || (Number.isSafeInteger(min) && Number.isSafeInteger(max));
}

/**
 * The rows of a JSON column that need inspectCell in JavaScript, as rows of `select` (the
 * per-row scan's SELECT list), in rowid order; every other row is one inspectCell would pass
 * without a finding, decided in SQLite, which is far faster than stepping each row into
 * JavaScript (~3 µs a row). The rows are read in chunks of rowids, one aggregate query each,
 * which counts them, collects run names (as the per-row scan would, in `tally`), lists the rows
 * SQLite flags, and returns the chunk's cells joined by newlines. A row goes to JavaScript
 * unless all of these hold:
 * - the cell is TEXT or BLOB and json_valid() of its text is 1: canonical RFC 8259 JSON, which
 *   JSON.parse accepts too (bare NaN, as 0.3.x wrote it, is not: those rows go to JavaScript,
 *   which reads them tolerantly);
 * - its first character is `{` (`[` for a list column): valid JSON that starts so is an object
 *   (a list);
 * - for metrics: the step column is an INTEGER >= 0; for metrics and traces (spec.media): the
 *   cell holds no `_type` and no `\u` escape (a media object, whose file must be looked for, or a
 *   key that could spell one);
 *   those rows are looked up only in the chunks whose joined cells hold such bytes.
 * What SQLite cannot see is checked on the joined cells, and a chunk that fails goes to
 * JavaScript whole: a NUL byte (json_valid stops reading there, JSON.parse does not), and bytes
 * that are not UTF-8 (damage in a BLOB cell; SQLite does not check it). Newline joins them, a
 * byte no multi-byte character ends with, so the whole is UTF-8 exactly when every cell is.
 */
export function* rowsNeedingJs(db: SqliteDatabase, spec: JsonColumn, select: string[], hasRun: boolean, hasStep: boolean, tally: RowTally, chunkRows = CHUNK_ROWS): Generator<unknown[]> {
  const table = `"${spec.table}"`;
  const cell = `"${spec.column}"`;
  const text = `CAST(${cell} AS TEXT)`;
  const needs = [`typeof(${cell}) NOT IN ('text', 'blob')`, `NOT json_valid(${text})`, `unicode(${text}) IS NOT ${spec.shape === 'list' ? 0x5b : 0x7b}`];
  if (spec.shape === 'metrics') needs.push(hasStep ? `typeof(step) != 'integer' OR step < 0` : '1');
  const needsJs = needs.map((n) => `(${n})`).join(' OR ');
  const runs = hasRun && tally.runs ? `json_group_array(DISTINCT run_name) FILTER (WHERE typeof(run_name) = 'text')` : 'NULL';
  const chunk = db
    .prepare(`SELECT count(*), ${runs}, json_group_array(rowid) FILTER (WHERE ${needsJs}), CAST(group_concat(${cell}, x'0a') AS BLOB) FROM ${table} WHERE rowid BETWEEN ? AND ?`)
    .raw(true);
  const bytes = `CAST(${cell} AS BLOB)`;
  const media = db.prepare(`SELECT rowid FROM ${table} WHERE rowid BETWEEN ? AND ? AND (instr(${bytes}, CAST('_type' AS BLOB)) > 0 OR instr(${bytes}, CAST('\\u' AS BLOB)) > 0)`).pluck();
  const nextRowId = db.prepare(`SELECT min(rowid) FROM ${table} WHERE rowid > ?`).pluck();
  const range = db.prepare(`SELECT ${select.join(', ')} FROM ${table} WHERE rowid BETWEEN ? AND ?`).raw(true);
  const one = db.prepare(`SELECT ${select.join(', ')} FROM ${table} WHERE rowid = ?`).raw(true);

  let lo = db.prepare(`SELECT min(rowid) FROM ${table}`).pluck().get() as number | null;
  while (lo !== null) {
    // Rowids are usually dense; a sparse table just gives chunks of fewer rows.
    const hi = Math.min(lo + chunkRows - 1, Number.MAX_SAFE_INTEGER);
    const [count, runNames, flaggedJson, joined] = chunk.get(lo, hi) as [number, string | null, string, Buffer | null];
    tally.rows += count;
    if (runNames !== null) for (const name of JSON.parse(runNames) as string[]) tally.runs!.add(name);
    const flagged = new Set(JSON.parse(flaggedJson) as number[]);
    if (spec.media && joined !== null && (joined.includes(TYPE) || joined.includes(ESCAPE))) {
      for (const rowId of media.iterate(lo, hi) as IterableIterator<number>) flagged.add(rowId);
    }
    if ((joined !== null && (joined.includes(0) || !isUtf8(joined))) || flagged.size > count * MANY_FLAGGED) {
      for (const row of range.iterate(lo, hi) as IterableIterator<unknown[]>) yield row;
    } else {
      for (const rowId of [...flagged].sort((a, b) => a - b)) {
        const row = one.get(rowId) as unknown[] | undefined;
        if (row) yield row;
      }
    }
    tally.doneThrough = hi;
    lo = hi >= Number.MAX_SAFE_INTEGER ? null : (nextRowId.get(hi) as number | null);
  }
}
