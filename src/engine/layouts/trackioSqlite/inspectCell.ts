import { isUtf8 } from 'node:buffer';
import type { FindingCode } from '../../codes.js';
import { parseJsonTolerant } from '../../parseJsonTolerant.js';
import type { CellShape } from './trackioSchema.js';

export type CellVerdict =
  | { ok: true; value: unknown; nonfinite: boolean }
  | { ok: false; code: Extract<FindingCode, 'sqlite/invalid-json' | 'sqlite/json-schema'>; why: string };

/**
 * Parses and validates one JSON cell, BLOB (orjson bytes) or TEXT. check (findings) and repair
 * (quarantine) both call this, so they always agree on a bad row.
 *
 * A metrics cell is a JSON object of metric values. Real Trackio writes any JSON value there, not
 * only numbers: `serialize_values` keeps strings, booleans, lists (of media, or plain values) and
 * nested objects (tables, histograms, media with `_type`), and turns NaN and infinities into the
 * strings "NaN", "Infinity", "-Infinity". So, unlike a metrics.jsonl line, no value is wrong in
 * itself; a record must be an object, and the step it belongs to (a column, not in the cell) must
 * be a whole number >= 0, as metrics-line.schema.json wants of `step`. A cell that is
 * not an object is `sqlite/json-schema`; one that does not parse is `sqlite/invalid-json`.
 */
export function inspectCell(shape: CellShape, cell: unknown, step?: unknown, nullable = false): CellVerdict {
  let text: string;
  if (Buffer.isBuffer(cell)) {
    if (!isUtf8(cell)) return { ok: false, code: 'sqlite/invalid-json', why: 'bytes that are not valid UTF-8' };
    text = cell.toString('utf8');
  } else if (typeof cell === 'string') {
    text = cell;
  } else if (cell === null && nullable) {
    return { ok: true, value: null, nonfinite: false };
  } else {
    return { ok: false, code: 'sqlite/json-schema', why: cell === null ? 'NULL where a JSON document belongs' : `a ${typeof cell} where a JSON document belongs` };
  }
  const parsed = parseJsonTolerant(text);
  if (!parsed.ok) return { ok: false, code: 'sqlite/invalid-json', why: `not valid JSON: ${parsed.error}` };
  const value = parsed.value;
  const why = shapeError(shape, value, step);
  if (why) return { ok: false, code: 'sqlite/json-schema', why };
  return { ok: true, value, nonfinite: parsed.nonfinite };
}

function shapeError(shape: CellShape, value: unknown, step: unknown): string | undefined {
  if (shape === 'manifest') return manifestError(value);
  if (shape === 'list') return Array.isArray(value) ? undefined : `not a JSON list but ${JSON.stringify(value)?.slice(0, 40)}`;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return `not a JSON object but ${Array.isArray(value) ? 'a list' : JSON.stringify(value)?.slice(0, 40)}`;
  if (shape === 'object') return undefined;
  const s = typeof step === 'bigint' ? Number(step) : step;
  if (!Number.isInteger(s) || (s as number) < 0) return `its step column is ${JSON.stringify(s) ?? String(s)}, not a whole number >= 0`;
  return undefined;
}

/** One entry of an artifact manifest; `ref` marks an external reference, which has no local blob. */
export interface ManifestEntry {
  path: string;
  digest: string;
  size: number;
  ref?: string;
}

function manifestError(value: unknown): string | undefined {
  if (!Array.isArray(value)) return 'an artifact manifest must be a list of {path, digest, size}';
  for (let i = 0; i < value.length; i++) {
    const e = value[i] as Partial<ManifestEntry> | null;
    if (typeof e !== 'object' || e === null || typeof e.path !== 'string' || typeof e.digest !== 'string' || !Number.isInteger(e.size) || e.size! < 0) {
      return `manifest entry ${i} is not {path, digest, size}`;
    }
    if ('ref' in e && typeof e.ref !== 'string') return `manifest entry ${i} has a ref that is not a URI string`;
  }
  return undefined;
}

/** file_path of every media object (`_type` + `file_path`) in a cell, nested ones included. */
export function mediaPaths(value: unknown, out: string[] = [], depth = 0): string[] {
  if (typeof value !== 'object' || value === null || depth > 6) return out;
  if (Array.isArray(value)) {
    for (const v of value) mediaPaths(v, out, depth + 1);
    return out;
  }
  const obj = value as Record<string, unknown>;
  if (typeof obj._type === 'string' && typeof obj.file_path === 'string') out.push(obj.file_path);
  for (const k in obj) {
    const v = obj[k];
    if (typeof v === 'object' && v !== null) mediaPaths(v, out, depth + 1);
  }
  return out;
}
