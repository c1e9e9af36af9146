import type { SqliteDatabase } from '../loadSqlite.js';
import type { SqlValue } from './decodeRecord.js';

export interface ColumnShape {
  name: string;
  /** SQLite's type affinity from the declared type. */
  affinity: 'INTEGER' | 'TEXT' | 'BLOB' | 'REAL' | 'NUMERIC';
  notNull: boolean;
  hasDefault: boolean;
  /** The INTEGER PRIMARY KEY column: the rowid itself, stored as NULL in the record. */
  ipk: boolean;
}

export interface TableShape {
  name: string;
  columns: ColumnShape[];
  /** Fewest values a record of this table can hold: columns added later by ALTER TABLE are missing from older rows. */
  minFields: number;
  /** Index of the INTEGER PRIMARY KEY column, or -1. */
  ipk: number;
}

/** SQLite's affinity rules (datatype3.html, 3.1). */
export function affinityOf(declared: string): ColumnShape['affinity'] {
  const t = declared.toUpperCase();
  if (t.includes('INT')) return 'INTEGER';
  if (t.includes('CHAR') || t.includes('CLOB') || t.includes('TEXT')) return 'TEXT';
  if (t.includes('BLOB') || t === '') return 'BLOB';
  if (t.includes('REAL') || t.includes('FLOA') || t.includes('DOUB')) return 'REAL';
  return 'NUMERIC';
}

/** The shape of each table of `db` (a database already holding the schema the rows go into). */
export function tableShapes(db: SqliteDatabase): TableShape[] {
  const names = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY rowid").pluck().all() as string[];
  return names.map((name) => {
    const info = db.prepare('SELECT name, type, "notnull" AS nn, dflt_value AS d, pk FROM pragma_table_info(?)').all(name) as Array<{ name: string; type: string; nn: number; d: string | null; pk: number }>;
    const pkCount = info.filter((c) => c.pk > 0).length;
    const columns = info.map((c) => ({
      name: c.name,
      affinity: affinityOf(c.type),
      notNull: c.nn === 1,
      hasDefault: c.d !== null,
      ipk: pkCount === 1 && c.pk === 1 && c.type.toUpperCase() === 'INTEGER',
    }));
    let minFields = 0;
    columns.forEach((c, i) => {
      if ((c.notNull && !c.hasDefault) || c.ipk) minFields = i + 1;
    });
    return { name, columns, minFields, ipk: columns.findIndex((c) => c.ipk) };
  });
}

const JSON_NAMES = new Set(['metrics', 'config', 'messages', 'metadata', 'manifest']);
const TIME_NAMES = new Set(['timestamp', 'created_at']);

/**
 * How well a record's values fit a table: -1 when they cannot be a row of it (too many or too few
 * values, a NULL in a NOT NULL column, a number where TEXT affinity would have stored text, a value
 * in the INTEGER PRIMARY KEY slot), else a score that grows with each value that looks like what
 * Trackio writes there (JSON where JSON goes, timestamps where times go).
 */
export function shapeScore(values: readonly SqlValue[], shape: TableShape): number {
  if (values.length < shape.minFields || values.length > shape.columns.length) return -1;
  let score = 0;
  for (let i = 0; i < values.length; i++) {
    const col = shape.columns[i]!;
    const v = values[i];
    if (col.ipk) {
      if (v !== null) return -1;
      score += 2;
      continue;
    }
    if (v === null) {
      if (col.notNull) return -1;
      continue;
    }
    if (col.notNull) score++;
    const isNumber = typeof v === 'number' || typeof v === 'bigint';
    if (col.affinity === 'TEXT') {
      if (isNumber) return -1;
      score++;
    } else if (col.affinity === 'INTEGER') {
      if (isNumber) score++;
      else if (Buffer.isBuffer(v)) return -1;
    } else score++;
    if (JSON_NAMES.has(col.name) && (typeof v === 'string' || Buffer.isBuffer(v))) {
      const c = firstNonSpace(v);
      if (c === 0x7b || c === 0x5b) score += 2;
    }
    if (TIME_NAMES.has(col.name) && typeof v === 'string' && /^(\d{4}-\d\d-\d\d|$|\d)/.test(v)) score += 2;
  }
  return score;
}

function firstNonSpace(v: string | Buffer): number | undefined {
  const n = Math.min(v.length, 16);
  for (let i = 0; i < n; i++) {
    const c = typeof v === 'string' ? v.charCodeAt(i) : v[i]!;
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return c;
  }
  return undefined;
}

/**
 * The table the rows of one orphan leaf page belong to (all cells of a b-tree page belong to one
 * tree): the table most rows fit best, where a row's best fit must be unique. Undefined when no
 * row fits any table.
 */
export function classifyPage(rows: ReadonlyArray<readonly SqlValue[]>, shapes: readonly TableShape[]): TableShape | undefined {
  const votes = new Map<TableShape, number>();
  for (const values of rows) {
    let best: TableShape | undefined;
    let bestScore = -1;
    let tie = false;
    for (const s of shapes) {
      const sc = shapeScore(values, s);
      if (sc > bestScore) {
        best = s;
        bestScore = sc;
        tie = false;
      } else if (sc === bestScore && sc >= 0) tie = true;
    }
    if (best && bestScore >= 0 && !tie) votes.set(best, (votes.get(best) ?? 0) + 1);
  }
  let table: TableShape | undefined;
  let most = 0;
  for (const [s, n] of votes) {
    if (n > most) {
      table = s;
      most = n;
    }
  }
  return table;
}
