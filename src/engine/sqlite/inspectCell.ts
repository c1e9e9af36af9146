import { isUtf8 } from 'node:buffer';
import type { FindingCode } from '../codes.js';
import { parseJsonTolerant } from '../parseJsonTolerant.js';
import { firstError, validators } from '../validators.js';
import type { CellShape } from './trackioSchema.js';

export type CellVerdict =
  | { ok: true; value: unknown; nonfinite: boolean }
  | { ok: false; code: Extract<FindingCode, 'sqlite/invalid-json' | 'sqlite/json-schema'>; why: string };

/**
 * Parses and validates one JSON cell, BLOB (orjson bytes) or TEXT, with the same rules as
 * metrics.jsonl. A metrics cell has no `step` of its own (step is a column), so it is validated
 * merged with the row's step: the record Trackio's reader rebuilds from the row.
 * check (findings) and repair (quarantine) both call this, so they always agree on a bad row.
 */
export function inspectCell(shape: CellShape, cell: unknown, step?: unknown): CellVerdict {
  let text: string;
  if (Buffer.isBuffer(cell)) {
    if (!isUtf8(cell)) return { ok: false, code: 'sqlite/invalid-json', why: 'bytes that are not valid UTF-8' };
    text = cell.toString('utf8');
  } else if (typeof cell === 'string') {
    text = cell;
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
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return `not a JSON object but ${Array.isArray(value) ? 'a list' : JSON.stringify(value)?.slice(0, 40)}`;
  if (shape === 'object') return undefined;
  // The parsed object is ours: adding the step in place is cheaper than copying a million cells.
  const record = value as Record<string, unknown>;
  if (record.step === undefined) record.step = step;
  if (!validators.metricsLine(record)) return `not a metrics record: ${firstError(validators.metricsLine)}`;
  return undefined;
}

export interface ManifestEntry {
  path: string;
  digest: string;
  size: number;
}

function manifestError(value: unknown): string | undefined {
  if (!Array.isArray(value)) return 'an artifact manifest must be a list of {path, digest, size}';
  for (let i = 0; i < value.length; i++) {
    const e = value[i] as Partial<ManifestEntry> | null;
    if (typeof e !== 'object' || e === null || typeof e.path !== 'string' || typeof e.digest !== 'string' || !Number.isInteger(e.size) || e.size! < 0) {
      return `manifest entry ${i} is not {path, digest, size}`;
    }
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
