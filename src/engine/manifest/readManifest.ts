import { createHash, type Hash } from 'node:crypto';
import { statSync } from 'node:fs';
import { MAX_STATE_BYTES, readRegularFile } from '../fs/openRegularFile.js';
import { fsPath } from '../fs/pathBytes.js';
import type { Finding } from '../finding.js';
import { FsckError } from '../errors.js';
import { makeFinding } from '../makeFinding.js';
import { foldMore } from '../FindingCap.js';
import { isSafeRelPathBytes } from '../fs/safePath.js';
import { applyFileRow, NOT_SIMPLE } from './applyFileRow.js';
import { MANIFEST_NAME, RECORD_FORMAT, RECORD_FORMAT_1, RECORD_FORMAT_2, STATE_DIR, RECORD_NAME, manifestPaths } from './manifestPaths.js';
import { forEachLine } from './forEachLine.js';
import { ManifestEntries, type ManifestEntry } from './ManifestEntries.js';
import { RecordLines } from './RecordLines.js';
import { manifestLine } from './manifestLine.js';
import { RecordedDirs, type StoredDirs } from './RecordedDirs.js';
import { fromColumns, type RecordColumns } from './recordColumns.js';
import type { RecordEntry } from './RecordEntry.js';

export type { RecordEntry };

export type { ManifestEntry };

export interface ManifestState {
  /** The directory the manifest's paths are relative to. */
  dir: string;
  /** Every entry, in line order (a read-only Map, kept compact: ManifestEntries). */
  entries: ManifestEntries;
  /** Findings about the manifest itself: malformed lines, unsafe paths, a record that disagrees. */
  problems: Finding[];
  /** The record was written together with this manifest-sha256.txt (its digest matches). */
  recordAgrees: boolean;
  /** Directory listings from the record (check --fast reuses those whose mtime and inode are unchanged). */
  dirs?: RecordedDirs;
}

/**
 * The tool's record of formats 1 and 2, still read (format 3 is written a row per line: recordRows):
 * format 2 kept the files as columns (RecordColumns), format 1 one object per file, by path.
 */
export interface RecordFile {
  format: string;
  tool: string;
  version: string;
  writtenAt: string;
  /** SHA-256 of the manifest-sha256.txt written with this record: tells a pair from a torn write. */
  manifestSha256: string;
  files: RecordColumns | Record<string, RecordEntry>;
  /** Optional (records written before it lack it, and readers that predate it ignore it). */
  dirs?: StoredDirs;
}

export const WHERE = { run: null, path: MANIFEST_NAME };
export const RECORD_REL = `${STATE_DIR}/${RECORD_NAME}`;

/**
 * Reads DIR/manifest-sha256.txt and the tool's record beside it, a chunk at a time, into compact
 * entries (nothing per file is kept as an object). Undefined when there is no manifest. Bad lines
 * become findings (never opened, never thrown); a manifest that cannot be read, or holds no
 * sha256sum line at all, is an operational error (exit 8).
 */
export async function readManifest(dir: string, options: { allowEmpty?: boolean; skipDirs?: boolean } = {}): Promise<ManifestState | undefined> {
  const paths = manifestPaths(dir);
  // Sized once from the manifest's length (a line is at least 67 bytes): nothing is grown by copying.
  const length = statSync(fsPath(paths.manifest), { throwIfNoEntry: false })?.size ?? 0;
  const entries = new ManifestEntries(length > 0 && length < MAX_STATE_BYTES ? { entries: Math.ceil(length / 67) + 1, pathBytes: length } : {});
  const malformed = new Folder('manifest/malformed-line');
  const unsafe = new Folder('manifest/unsafe-path');
  // Made on the first chunk: a data dir without a manifest never loads node:crypto (start-up).
  let hash: Hash | undefined;
  let lines = 0;
  const onLine = (buf: Buffer, start: number, end: number): void => {
    const line = ++lines;
    // The usual line goes in from its bytes; anything else (and a repeat, or an unsafe path, to be reported) the long way.
    const bare = end > start && buf[end - 1] === 13 ? end - 1 : end;
    if (isAsciiLine(buf, start, bare) && isSafeRelPathBytes(buf, start + 66, bare) && entries.addAscii(buf, start + 66, bare, start, line)) return;
    const parsed = manifestLine(buf, start, end);
    if (parsed.kind === 'malformed') {
      malformed.add(line, `line ${line} is not a sha256sum line ("<64 hex digits>  <path>"): ${JSON.stringify(parsed.text.slice(0, 80))}`);
      return;
    }
    if (parsed.kind === 'unsafe') {
      unsafe.add(line, `line ${line} names ${JSON.stringify(parsed.path)}, outside the data dir: not opened`);
      return;
    }
    if (!entries.add(parsed.path, parsed.sha256, line)) {
      malformed.add(line, `line ${line} names ${JSON.stringify(parsed.path)} again (first on line ${entries.lineOf(entries.rowOf(parsed.path)!)})`);
    }
  };
  let found: boolean;
  try {
    // A FIFO, device or link in its place is refused unread (openRegularFile): it cannot hang or flood.
    found = await forEachLine(paths.manifest, onLine, (chunk) => (hash ??= createHash('sha256')).update(chunk));
  } catch (err) {
    throw new FsckError(`cannot read ${paths.manifest}: ${(err as Error).message}`);
  }
  if (!found) return undefined;
  const digest = (hash ?? createHash('sha256')).digest('hex');
  if (lines > 0 && entries.size === 0 && malformed.count === lines) {
    throw new FsckError(`${paths.manifest} is not a sha256sum manifest: none of its ${lines} lines reads as "<sha256>  <path>"`);
  }
  if (lines === 0 && !options.allowEmpty) await refuseEmpty(dir, paths.manifest);
  const problems: Finding[] = [...malformed.findings(), ...unsafe.findings()];

  const record = await readRecord(paths.record, entries, options.skipDirs ?? false);
  let disagreeing = 0;
  if (record.ok) for (const row of entries.rowsInOrder()) if (!entries.hasRecord(row)) disagreeing++;
  let recordAgrees = false;
  if (!record.ok) {
    problems.push(makeFinding('manifest/record-mismatch', WHERE, `${record.why}: every file is verified by its hash alone, a grown metrics.jsonl cannot be told from a changed one, and --fast reads every file. Rewrite it: trackio-fsck manifest write`));
  } else if (record.manifestSha256 !== digest) {
    const also = disagreeing > 0 ? `; ${disagreeing} of its files disagree with the manifest and are verified by hash alone` : '';
    problems.push(makeFinding('manifest/record-mismatch', WHERE, `${RECORD_REL} was not written together with ${MANIFEST_NAME} (an interrupted write, or one of them edited)${also}. Rewrite both: trackio-fsck manifest write`));
  } else {
    recordAgrees = true;
  }
  return { dir, entries, problems, recordAgrees, dirs: recordAgrees && record.ok ? record.dirs : undefined };
}

type RecordRead = { ok: true; manifestSha256: string; dirs?: RecordedDirs } | { ok: false; why: string };

/**
 * A manifest that records nothing verifies nothing: an emptied one would make every check pass.
 * Exit 8, unless the data dir's databases are recorded (a Trackio data dir whose files are all in
 * its databases has an empty manifest-sha256.txt beside a database record).
 */
export async function refuseEmpty(dir: string, manifest: string): Promise<void> {
  const { DATABASE_RECORD } = await import('../layouts/trackioSqlite/databaseManifest.js');
  const bytes = await readRegularFile(`${dir}/${STATE_DIR}/${DATABASE_RECORD}`).catch(() => undefined);
  try {
    const doc = bytes && (JSON.parse(bytes.toString('utf8')) as { databases?: object });
    if (doc && typeof doc.databases === 'object' && doc.databases !== null && Object.keys(doc.databases).length > 0) return;
  } catch {
    // not a record: the manifest records nothing
  }
  throw new FsckError(`${manifest} records nothing (no file line, and no database record): it verifies nothing, so it is not used. If it was emptied, restore it; if the data dir really is empty, remove it or write it again: trackio-fsck manifest write`);
}

/**
 * Reads the tool's record and attaches each file's record to the entry with the same path and
 * SHA-256 (by path, so a record torn from its manifest still vouches for the files it agrees on).
 * Format 3 is read a line at a time; formats 1 and 2 (one JSON value) whole. Anything off, and
 * no entry keeps a record from it.
 */
async function readRecord(path: string, entries: ManifestEntries, skipDirs: boolean): Promise<RecordRead> {
  const apply = (p: string, rec: Partial<RecordEntry> | undefined, sha256: string | undefined): void => {
    const row = entries.rowOf(p);
    if (row !== undefined && sha256 !== undefined && rec && isRecordEntry(rec) && rec.sha256 === sha256 && entries.shaIs(row, sha256)) entries.setRecord(row, rec as RecordEntry);
  };
  // The usual file row goes straight onto its entry (applyFileRow), the next row guessed first.
  let next = 0;
  const applyBytes = (buf: Buffer, start: number, end: number): boolean => {
    const row = applyFileRow(entries, buf, start, end, next);
    if (row >= 0) next = row + 1;
    return row !== NOT_SIMPLE;
  };
  let result: RecordRead;
  try {
    result = await readRowsRecord(path, apply, skipDirs, applyBytes);
  } catch (err) {
    result = { ok: false, why: `cannot read ${RECORD_REL}: ${(err as Error).message}` };
  }
  if (result.ok || !('older' in result)) {
    if (!result.ok) entries.clearRecords();
    return result;
  }
  // Formats 1 and 2: one JSON value, read whole (the next manifest write rewrites it as format 3).
  let text: string;
  try {
    const bytes = await readRegularFile(path);
    if (!bytes) return { ok: false, why: `no ${RECORD_REL} beside the manifest` };
    text = bytes.toString('utf8');
  } catch (err) {
    return { ok: false, why: `cannot read ${RECORD_REL}: ${(err as Error).message}` };
  }
  try {
    const doc = JSON.parse(text) as RecordFile;
    const rows = typeof doc?.manifestSha256 !== 'string' || typeof doc.files !== 'object' || doc.files === null ? undefined
      : doc.format === RECORD_FORMAT_2 ? fromColumns(doc.files)
      : doc.format === RECORD_FORMAT_1 ? (Object.entries(doc.files) as Array<[string, RecordEntry]>)
      : undefined;
    if (!rows) return { ok: false, why: `${RECORD_REL} is not a ${RECORD_FORMAT} record` };
    for (const [p, rec] of rows) apply(p, rec, rec?.sha256);
    return { ok: true, manifestSha256: doc.manifestSha256, dirs: skipDirs ? undefined : RecordedDirs.from(doc.dirs) };
  } catch (err) {
    entries.clearRecords();
    return { ok: false, why: `${RECORD_REL} is not valid JSON (${(err as Error).message})` };
  }
}

/**
 * Format 3, a line at a time (recordRows). `{ ok: false, older: true }` when the first line is not
 * format 3's head: the caller reads it as format 1 or 2.
 */
async function readRowsRecord(
  path: string,
  apply: (p: string, rec: RecordEntry | undefined, sha256: string) => void,
  skipDirs: boolean,
  applyBytes: (buf: Buffer, start: number, end: number) => boolean,
): Promise<RecordRead | { ok: false; why: string; older: true }> {
  const lines = new RecordLines();
  const dirs = new RecordedDirs();
  const onLine = (buf: Buffer, start: number, end: number): boolean => {
    if (lines.state === 'rows' && applyBytes(buf, start, end)) return true;
    const row = lines.lineBytes(buf, start, end);
    if (row === false) return false;
    if (row?.kind === 'f') apply(row.path, row.record, row.sha256);
    else if (row && !skipDirs) dirs.add(row.path, row.mtimeMs, row.ino, row.names);
    return true;
  };
  if (!(await forEachLine(path, onLine))) return { ok: false, why: `no ${RECORD_REL} beside the manifest` };
  const bad = lines.end();
  if (bad === 'older') return { ok: false, why: '', older: true };
  if (bad !== undefined) return { ok: false, why: bad };
  return { ok: true, manifestSha256: lines.manifestSha256!, dirs: skipDirs ? undefined : dirs };
}

/** 64 hex digits (either case), two spaces (or space and '*'), and a path of ASCII bytes (no escape). */
function isAsciiLine(buf: Buffer, start: number, end: number): boolean {
  if (end - start < 67 || buf[start + 64] !== 32 || (buf[start + 65] !== 32 && buf[start + 65] !== 42)) return false;
  for (let i = start; i < start + 64; i++) {
    const c = buf[i]!;
    if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70))) return false;
  }
  for (let i = start + 66; i < end; i++) if (buf[i]! >= 128) return false;
  return true;
}

const SHA256 = /^[0-9a-f]{64}$/;

export function isRecordEntry(r: Partial<RecordEntry>): boolean {
  return typeof r.sha256 === 'string' && SHA256.test(r.sha256) && Number.isSafeInteger(r.size) && typeof r.mtimeMs === 'number' && typeof r.ino === 'number';
}

/** One finding per code for the first bad line, the rest counted in `more`: a garbage file does not flood the report. */
export class Folder {
  count = 0;
  private first: Finding | undefined;
  constructor(private readonly code: 'manifest/malformed-line' | 'manifest/unsafe-path') {}

  add(line: number, message: string): void {
    this.count++;
    if (!this.first) this.first = makeFinding(this.code, { ...WHERE, line }, message);
  }

  findings(): Finding[] {
    if (!this.first) return [];
    if (this.count > 1) foldMore(this.first, this.count - 1, `more such line${this.count > 2 ? 's' : ''}`);
    return [this.first];
  }
}
