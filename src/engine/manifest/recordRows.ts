import type { Finding } from '../finding.js';
import type { DirListing } from '../layouts/runDirectory/listRunFiles.js';
import type { RecordEntry } from './RecordEntry.js';
import { parseFlatArray } from './parseFlatArray.js';

/**
 * The tool's record, format 3: still one JSON document, written one row per line so it can be
 * written while the files are read and read back a line at a time (formats 1 and 2 were one value
 * that JSON.parse had to hold whole: at 100 000 runs the record's text and its parse took more
 * memory than the rest of the check). Its lines:
 *
 *   {"format": "trackio-fsck-manifest/3", "tool": ..., "version": ..., "writtenAt": ...,
 *   "rows": [
 *   ["f", path, sha256, size, mtimeMs, ino, flags, lines(, findings)]
 *   ,["d", path, mtimeMs, ino, names]
 *   ],
 *   "manifestSha256": "..."}
 *
 * "f" rows come in the manifest's order; "d" rows (directory listings, RecordedDirs' encoding of
 * names) may come anywhere among them. size, mtimeMs, ino and lines are null for an entry kept
 * from a manifest without stat facts; flags: 1 append-only, 2 recorded while its run was live.
 * The manifest's digest comes last because it is known only once every file is written.
 */
export const ROWS_OPEN = '"rows": [';
export const ROWS_CLOSE = '],';

const APPEND_ONLY = 1;
const LIVE = 2;

/** A file row's JSON (no leading comma, no newline). */
export function fileRow(path: string, e: RecordEntry | Pick<RecordEntry, 'sha256'>): string {
  const r = e as Partial<RecordEntry>;
  const row: unknown[] = ['f', path, e.sha256, r.size ?? null, r.mtimeMs ?? null, r.ino ?? null, (r.appendOnly ? APPEND_ONLY : 0) | (r.live ? LIVE : 0), r.lines ?? null];
  if (r.findings && r.findings.length > 0) row.push(r.findings);
  return JSON.stringify(row);
}

/** A directory row's JSON; `names` as RecordedDirs stores them (each name followed by '/', a directory's by '//'). */
export function dirRow(path: string, d: DirListing): string {
  return JSON.stringify(['d', path, d.mtimeMs, d.ino, d.names.map((n) => `${n}/`).join('')]);
}

export type ParsedRow =
  | { kind: 'f'; path: string; sha256: string; record?: RecordEntry }
  | { kind: 'd'; path: string; mtimeMs: number; ino: number; names: string }
  | undefined;

/** One row line back (a leading comma allowed); undefined when it is not a row of this format. */
export function parseRow(line: string): ParsedRow {
  return rowOfValue(JSON.parse(line.charCodeAt(0) === 44 /* , */ ? line.slice(1) : line));
}

/** parseRow on a line's bytes: the usual row is read from them (parseFlatArray), any other decoded and parsed. */
export function parseRowBytes(buf: Buffer, start: number, end: number): ParsedRow {
  const flat = parseFlatArray(buf, start, end);
  return flat ? rowOfValue(flat) : parseRow(buf.toString('utf8', start, end));
}

/** A row line's JSON value (parsed by JSON.parse, or by parseFlatArray from its bytes) as a row; undefined when it is not one. */
export function rowOfValue(row: unknown): ParsedRow {
  if (!Array.isArray(row)) return undefined;
  if (row[0] === 'f') {
    const [, path, sha256, size, mtimeMs, ino, flags, lines, findings] = row as [string, unknown, unknown, unknown, unknown, unknown, unknown, unknown, unknown];
    if (typeof path !== 'string' || typeof sha256 !== 'string') return undefined;
    if (!Number.isSafeInteger(size) || typeof mtimeMs !== 'number' || typeof ino !== 'number') return { kind: 'f', path, sha256 };
    const rec: RecordEntry = { sha256, size: size as number, mtimeMs, ino };
    const f = typeof flags === 'number' ? flags : 0;
    if (f & APPEND_ONLY) rec.appendOnly = true;
    if (f & LIVE) rec.live = true;
    if (typeof lines === 'number') rec.lines = lines;
    if (Array.isArray(findings)) rec.findings = findings as Finding[];
    return { kind: 'f', path, sha256, record: rec };
  }
  if (row[0] === 'd') {
    const [, path, mtimeMs, ino, names] = row as [string, unknown, unknown, unknown, unknown];
    if (typeof path !== 'string' || typeof mtimeMs !== 'number' || typeof ino !== 'number' || typeof names !== 'string') return undefined;
    return { kind: 'd', path, mtimeMs, ino, names };
  }
  return undefined;
}
