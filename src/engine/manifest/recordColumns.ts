import type { Finding } from '../finding.js';
import type { RecordEntry } from './RecordEntry.js';

/**
 * The tool's record, format 2: one array per field instead of one object per file. JSON.parse
 * reads a column of numbers or strings several times faster than 50 000 small objects with
 * repeated keys (the record of 10 000 runs: 7 MB instead of 9 MB, parsed in a third of the time),
 * and check --fast reads it on every commit. `findings` is sparse (by row), as few files have any.
 */
export interface RecordColumns {
  path: string[];
  sha256: string[];
  /** null where an entry was kept from an older manifest without stat facts. */
  size: Array<number | null>;
  mtimeMs: Array<number | null>;
  ino: Array<number | null>;
  /** Bits: 1 append-only, 2 recorded while its run was live. */
  flags: number[];
  lines: Array<number | null>;
  findings: Record<string, Finding[]>;
}

const APPEND_ONLY = 1;
const LIVE = 2;

/** Format 2's columns from rows (what format 2 wrote; the tests make format-2 records with it). */
export function toColumns(rows: Array<[string, RecordEntry | Pick<RecordEntry, 'sha256'>]>): RecordColumns {
  const c: RecordColumns = { path: [], sha256: [], size: [], mtimeMs: [], ino: [], flags: [], lines: [], findings: {} };
  rows.forEach(([path, e], i) => {
    const r = e as Partial<RecordEntry>;
    c.path.push(path);
    c.sha256.push(e.sha256);
    c.size.push(r.size ?? null);
    c.mtimeMs.push(r.mtimeMs ?? null);
    c.ino.push(r.ino ?? null);
    c.flags.push((r.appendOnly ? APPEND_ONLY : 0) | (r.live ? LIVE : 0));
    c.lines.push(r.lines ?? null);
    if (r.findings && r.findings.length > 0) c.findings[i] = r.findings;
  });
  return c;
}

/**
 * Rows back from the columns, as [path, entry] pairs (an entry without stat facts holds only its
 * sha256). Undefined when the columns are not what format 2 writes (then the record is not used).
 */
export function fromColumns(c: unknown): Array<[string, RecordEntry | Pick<RecordEntry, 'sha256'>]> | undefined {
  if (typeof c !== 'object' || c === null) return undefined;
  const { path, sha256, size, mtimeMs, ino, flags, lines, findings } = c as RecordColumns;
  const n = Array.isArray(path) ? path.length : -1;
  for (const col of [sha256, size, mtimeMs, ino, flags, lines]) if (!Array.isArray(col) || col.length !== n) return undefined;
  if (typeof findings !== 'object' || findings === null) return undefined;
  const rows: Array<[string, RecordEntry | Pick<RecordEntry, 'sha256'>]> = new Array(n);
  for (let i = 0; i < n; i++) {
    const p = path[i];
    const s = sha256[i];
    if (typeof p !== 'string' || typeof s !== 'string') return undefined;
    const sz = size[i];
    const m = mtimeMs[i];
    const ino_ = ino[i];
    if (typeof sz !== 'number' || typeof m !== 'number' || typeof ino_ !== 'number') {
      rows[i] = [p, { sha256: s }];
      continue;
    }
    const e: RecordEntry = { sha256: s, size: sz, mtimeMs: m, ino: ino_ };
    const f = flags[i]!;
    if (f & APPEND_ONLY) e.appendOnly = true;
    if (f & LIVE) e.live = true;
    const l = lines[i];
    if (typeof l === 'number') e.lines = l;
    const fs = Object.hasOwn(findings, i) ? findings[i] : undefined;
    if (Array.isArray(fs)) e.findings = fs;
    rows[i] = [p, e];
  }
  return rows;
}
