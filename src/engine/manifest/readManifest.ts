import { createHash } from 'node:crypto';
import { readRegularFile } from '../fs/openRegularFile.js';
import type { Finding } from '../finding.js';
import { FsckError } from '../errors.js';
import { makeFinding } from '../makeFinding.js';
import { foldMore } from '../FindingCap.js';
import { isSafeRelPath } from '../fs/safePath.js';
import { MANIFEST_NAME, RECORD_FORMAT, RECORD_FORMAT_1, STATE_DIR, RECORD_NAME, manifestPaths } from './manifestPaths.js';
import { manifestLines, parseSha256sumLine } from './sha256sumLine.js';
import { RecordedDirs, type StoredDirs } from './RecordedDirs.js';
import { fromColumns, type RecordColumns } from './recordColumns.js';
import type { RecordEntry } from './RecordEntry.js';

export type { RecordEntry };

export interface ManifestEntry {
  /** Relative to the data dir, '/'-separated, checked by isSafeRelPath. */
  path: string;
  /** From manifest-sha256.txt: what `sha256sum -c` checks, and what trackio-fsck checks too. */
  sha256: string;
  /** 1-based line in manifest-sha256.txt. */
  line: number;
  /** The tool's record, only when it agrees with the line (same SHA-256). */
  record?: RecordEntry;
}

export interface ManifestState {
  /** The directory the manifest's paths are relative to. */
  dir: string;
  entries: Map<string, ManifestEntry>;
  /** Findings about the manifest itself: malformed lines, unsafe paths, a record that disagrees. */
  problems: Finding[];
  /** The record was written together with this manifest-sha256.txt (its digest matches). */
  recordAgrees: boolean;
  /** Directory listings from the record (check --fast reuses those whose mtime and inode are unchanged). */
  dirs?: RecordedDirs;
}

/**
 * The tool's record as stored in .trackio-fsck/manifest.json: format 2 keeps the files as columns
 * (RecordColumns); format 1, still read, kept one object per file, by path.
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

const WHERE = { run: null, path: MANIFEST_NAME };
const RECORD_REL = `${STATE_DIR}/${RECORD_NAME}`;

/**
 * Reads DIR/manifest-sha256.txt and the tool's record beside it. Undefined when there is no
 * manifest. Bad lines become findings (never opened, never thrown); a manifest that cannot be read,
 * or holds no sha256sum line at all, is an operational error (exit 8).
 */
export async function readManifest(dir: string, options: { allowEmpty?: boolean } = {}): Promise<ManifestState | undefined> {
  const paths = manifestPaths(dir);
  let bytes: Buffer | undefined;
  try {
    // A FIFO, device or link in its place is refused unread (openRegularFile): it cannot hang or flood.
    bytes = await readRegularFile(paths.manifest);
  } catch (err) {
    throw new FsckError(`cannot read ${paths.manifest}: ${(err as Error).message}`);
  }
  if (!bytes) return undefined;
  const digest = createHash('sha256').update(bytes).digest('hex');
  const record = await readRecord(paths.record);
  if (record.ok && record.manifestSha256 === digest) {
    // The pair was written together: the record holds every line of the manifest, in order, and
    // more. Taking the entries from it saves parsing the text (a third of check --fast's time).
    const entries = entriesFromRecord(record.rows);
    if (entries) {
      if (entries.size === 0 && !options.allowEmpty) await refuseEmpty(dir, paths.manifest);
      return { dir, entries, problems: [], recordAgrees: true, dirs: RecordedDirs.from(record.dirs) };
    }
  }

  const entries = new Map<string, ManifestEntry>();
  const problems: Finding[] = [];
  const malformed = new Folder('manifest/malformed-line');
  const unsafe = new Folder('manifest/unsafe-path');
  const lines = manifestLines(bytes);
  let disagreeing = 0;
  const byPath = record.ok ? new Map(record.rows) : undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = i + 1;
    const parsed = parseSha256sumLine(lines[i]!);
    if (!parsed) {
      malformed.add(line, `line ${line} is not a sha256sum line ("<64 hex digits>  <path>"): ${JSON.stringify(lines[i]!.slice(0, 80))}`);
      continue;
    }
    if (!isSafeRelPath(parsed.path)) {
      unsafe.add(line, `line ${line} names ${JSON.stringify(parsed.path)}, outside the data dir: not opened`);
      continue;
    }
    const earlier = entries.get(parsed.path);
    if (earlier) {
      malformed.add(line, `line ${line} names ${JSON.stringify(parsed.path)} again (first on line ${earlier.line})`);
      continue;
    }
    const entry: ManifestEntry = { path: parsed.path, sha256: parsed.sha256, line };
    const rec = byPath?.get(parsed.path);
    if (rec && isRecordEntry(rec) && rec.sha256 === parsed.sha256) entry.record = rec as RecordEntry;
    else if (record.ok) disagreeing++;
    entries.set(parsed.path, entry);
  }
  if (lines.length > 0 && entries.size === 0 && malformed.count === lines.length) {
    throw new FsckError(`${paths.manifest} is not a sha256sum manifest: none of its ${lines.length} lines reads as "<sha256>  <path>"`);
  }
  if (lines.length === 0 && !options.allowEmpty) await refuseEmpty(dir, paths.manifest);
  problems.push(...malformed.findings(), ...unsafe.findings());

  let recordAgrees = false;
  if (!record.ok) {
    problems.push(makeFinding('manifest/record-mismatch', WHERE, `${record.why}: every file is verified by its hash alone, a grown metrics.jsonl cannot be told from a changed one, and --fast reads every file. Rewrite it: trackio-fsck manifest write`));
  } else if (record.manifestSha256 !== digest) {
    const also = disagreeing > 0 ? `; ${disagreeing} of its files disagree with the manifest and are verified by hash alone` : '';
    problems.push(makeFinding('manifest/record-mismatch', WHERE, `${RECORD_REL} was not written together with ${MANIFEST_NAME} (an interrupted write, or one of them edited)${also}. Rewrite both: trackio-fsck manifest write`));
  } else {
    recordAgrees = true;
  }
  return { dir, entries, problems, recordAgrees, dirs: recordAgrees ? RecordedDirs.from(record.ok ? record.dirs : undefined) : undefined };
}

type RecordRow = [string, RecordEntry | Pick<RecordEntry, 'sha256'>];
type RecordRead = { ok: true; manifestSha256: string; rows: RecordRow[]; dirs?: StoredDirs } | { ok: false; why: string };

/**
 * A manifest that records nothing verifies nothing: an emptied one would make every check pass.
 * Exit 8, unless the data dir's databases are recorded (a Trackio data dir whose files are all in
 * its databases has an empty manifest-sha256.txt beside a database record).
 */
async function refuseEmpty(dir: string, manifest: string): Promise<void> {
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

async function readRecord(path: string): Promise<RecordRead> {
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
      : doc.format === RECORD_FORMAT ? fromColumns(doc.files)
      : doc.format === RECORD_FORMAT_1 ? (Object.entries(doc.files) as RecordRow[]) // written before format 2: read as it is, rewritten as 2 by the next manifest write
      : undefined;
    if (!rows) return { ok: false, why: `${RECORD_REL} is not a ${RECORD_FORMAT} record` };
    return { ok: true, manifestSha256: doc.manifestSha256, rows, dirs: doc.dirs };
  } catch (err) {
    return { ok: false, why: `${RECORD_REL} is not valid JSON (${(err as Error).message})` };
  }
}

/** Entries from an agreeing record; undefined if anything in it looks off (then the text is parsed and judged line by line). */
function entriesFromRecord(rows: RecordRow[]): Map<string, ManifestEntry> | undefined {
  const entries = new Map<string, ManifestEntry>();
  let line = 0;
  for (const [path, rec] of rows) {
    line++;
    if (!isSafeRelPath(path) || typeof rec?.sha256 !== 'string' || !SHA256.test(rec.sha256) || entries.has(path)) return undefined;
    entries.set(path, isRecordEntry(rec) ? { path, sha256: rec.sha256, line, record: rec as RecordEntry } : { path, sha256: rec.sha256, line });
  }
  return entries;
}

const SHA256 = /^[0-9a-f]{64}$/;

function isRecordEntry(r: Partial<RecordEntry>): boolean {
  return typeof r.sha256 === 'string' && Number.isSafeInteger(r.size) && typeof r.mtimeMs === 'number' && typeof r.ino === 'number';
}

/** One finding per code for the first bad line, the rest counted in `more`: a garbage file does not flood the report. */
class Folder {
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
