import { createHash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { FsckError } from '../errors.js';
import type { Finding } from '../finding.js';
import { MAX_STATE_BYTES, openRegularFile } from '../fs/openRegularFile.js';
import { makeFinding } from '../makeFinding.js';
import { LineCursor } from './LineCursor.js';
import type { ManifestEntry } from './ManifestEntries.js';
import { MANIFEST_NAME, manifestPaths, runOf } from './manifestPaths.js';
import { Folder, RECORD_REL, WHERE, isRecordEntry, refuseEmpty } from './readManifest.js';
import { manifestLine } from './manifestLine.js';
import { RecordLines } from './RecordLines.js';
import type { RecordEntry } from './RecordEntry.js';
import { RecordedDirs } from './RecordedDirs.js';
import { parseRowBytes, ROWS_CLOSE } from './recordRows.js';

/**
 * A manifest and its record read beside the walk instead of into memory (issue 15: at 100 000
 * runs the compact entries and listings of readManifest still held 160 MB while check --fast
 * compared them). It needs what `manifest write` makes: manifest lines in strictly increasing
 * code-unit order, the record's file rows in the same order, its directory rows grouped by run in
 * the walk's run order. openManifestStream checks all that in a first pass that keeps nothing per
 * file (and works out every finding about the manifest itself, as readManifest does); anything
 * else (a hand-sorted or hand-edited manifest, a format 1 or 2 record) is read by readManifest.
 */
export interface ManifestStream {
  dir: string;
  problems: Finding[];
  recordAgrees: boolean;
  /** Entries in path order, each with the record's row when it agrees (a fresh cursor per call). */
  entries(): EntryCursor;
  /** Recorded listings of one run at a time (run order); undefined when none may be used. */
  dirRows(): DirCursor | undefined;
  /** The recorded listings whole, when the record keeps them out of run order (then dirRows() is undefined). */
  dirsWhole?: RecordedDirs;
  /** Every recorded listing, read whole (a `manifest write --run` carries those of the runs it does not walk); undefined when none may be used. */
  readAllDirs(): RecordedDirs | undefined;
  close(): Promise<void>;
}

/** Undefined: no manifest. 'unordered': not in the order a stream needs; readManifest reads it. */
export async function openManifestStream(dir: string, opts: { dirs: boolean; allowEmpty?: boolean }): Promise<ManifestStream | 'unordered' | undefined> {
  const paths = manifestPaths(dir);
  let manifest: FileHandle;
  try {
    const opened = await openRegularFile(paths.manifest);
    manifest = opened.fh;
    if (opened.stat.size > MAX_STATE_BYTES) throw new Error(`${paths.manifest} is ${opened.stat.size} bytes, more than any file of this kind: not read`);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new FsckError(`cannot read ${paths.manifest}: ${(err as Error).message}`);
  }
  const handles: FileHandle[] = [manifest];
  const closeAll = async (): Promise<void> => {
    for (const fh of handles.splice(0)) await fh.close().catch(() => {});
  };
  try {
    const m = await manifestPass(dir, paths.manifest, manifest.fd, opts.allowEmpty ?? false);
    if (m === 'unordered') {
      await closeAll();
      return 'unordered';
    }
    const r = await recordPass(paths.record);
    if (r.kind === 'older' || r.kind === 'unordered') {
      await closeAll();
      if (r.fh) await r.fh.close().catch(() => {});
      return 'unordered';
    }
    if (r.fh) handles.push(r.fh);
    const problems = m.problems;
    const record = r.kind === 'ok' ? { fd: r.fh.fd, path: paths.record, from: r.rowsFrom } : undefined;
    const entries = (): EntryCursor => new EntryCursor(manifest.fd, paths.manifest, record);
    let recordAgrees = false;
    if (r.kind !== 'ok') {
      problems.push(makeFinding('manifest/record-mismatch', WHERE, `${r.why}: every file is verified by its hash alone, a grown metrics.jsonl cannot be told from a changed one, and --fast reads every file. Rewrite it: trackio-fsck manifest write`));
    } else if (r.manifestSha256 !== m.digest) {
      let disagreeing = 0;
      const all = entries();
      for (let e = all.next(); e; e = all.next()) if (!e.record) disagreeing++;
      const also = disagreeing > 0 ? `; ${disagreeing} of its files disagree with the manifest and are verified by hash alone` : '';
      problems.push(makeFinding('manifest/record-mismatch', WHERE, `${RECORD_REL} was not written together with ${MANIFEST_NAME} (an interrupted write, or one of them edited)${also}. Rewrite both: trackio-fsck manifest write`));
    } else {
      recordAgrees = true;
    }
    const dirsUsable = opts.dirs && recordAgrees && r.kind === 'ok' && r.dirsFrom !== undefined;
    let dirsWhole: RecordedDirs | undefined;
    if (dirsUsable && !r.dirsOrdered) dirsWhole = readDirsWhole(r.fh.fd, paths.record, r.dirsFrom!);
    const stream: ManifestStream = {
      dir,
      problems,
      recordAgrees,
      entries,
      dirRows: () => (dirsUsable && !dirsWhole ? new DirCursor(r.kind === 'ok' ? r.fh.fd : -1, paths.record, r.kind === 'ok' ? r.dirsFrom! : 0) : undefined),
      // readManifest's rule: listings are used only from a record written together with this manifest.
      readAllDirs: () => (!opts.dirs || !recordAgrees || r.kind !== 'ok' ? undefined : r.dirsFrom === undefined ? new RecordedDirs() : (dirsWhole ?? readDirsWhole(r.fh.fd, paths.record, r.dirsFrom))),
      close: closeAll,
    };
    if (dirsWhole) stream.dirsWhole = dirsWhole;
    return stream;
  } catch (err) {
    await closeAll();
    throw err;
  }
}

/** Hashes the manifest and finds its problems, holding only the previous path (for the order). */
async function manifestPass(dir: string, path: string, fd: number, allowEmpty: boolean): Promise<{ digest: string; problems: Finding[] } | 'unordered'> {
  const hash = createHash('sha256');
  const malformed = new Folder('manifest/malformed-line');
  const unsafe = new Folder('manifest/unsafe-path');
  let lines = 0;
  let entries = 0;
  let prev: string | undefined;
  try {
    const cursor = new LineCursor(fd, path, 0, (chunk) => hash.update(chunk));
    for (let l = cursor.next(); l; l = cursor.next()) {
      const line = ++lines;
      const p = manifestLine(...l);
      if (p.kind === 'malformed') {
        malformed.add(line, `line ${line} is not a sha256sum line ("<64 hex digits>  <path>"): ${JSON.stringify(p.text.slice(0, 80))}`);
      } else if (p.kind === 'unsafe') {
        unsafe.add(line, `line ${line} names ${JSON.stringify(p.path)}, outside the data dir: not opened`);
      } else {
        // A repeat, or any other order than manifest write's: readManifest reads it (and words the repeat).
        if (prev !== undefined && !(prev < p.path)) return 'unordered';
        prev = p.path;
        entries++;
      }
    }
  } catch (err) {
    throw new FsckError(`cannot read ${path}: ${(err as Error).message}`);
  }
  if (lines > 0 && entries === 0 && malformed.count === lines) {
    throw new FsckError(`${path} is not a sha256sum manifest: none of its ${lines} lines reads as "<sha256>  <path>"`);
  }
  if (lines === 0 && !allowEmpty) await refuseEmpty(dir, path);
  return { digest: hash.digest('hex'), problems: [...malformed.findings(), ...unsafe.findings()] };
}

type RecordPass =
  | { kind: 'ok'; fh: FileHandle; manifestSha256: string; rowsFrom: number; dirsFrom?: number; dirsOrdered: boolean }
  | { kind: 'bad'; fh?: FileHandle; why: string }
  | { kind: 'older'; fh?: FileHandle }
  | { kind: 'unordered'; fh?: FileHandle };

/** The record judged as readManifest judges it (RecordLines), plus the orders a stream needs, holding nothing per file. */
async function recordPass(path: string): Promise<RecordPass> {
  let fh: FileHandle;
  try {
    const opened = await openRegularFile(path);
    fh = opened.fh;
    if (opened.stat.size > MAX_STATE_BYTES) {
      await fh.close();
      return { kind: 'bad', why: `cannot read ${RECORD_REL}: ${path} is ${opened.stat.size} bytes, more than any file of this kind: not read` };
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'bad', why: `no ${RECORD_REL} beside the manifest` };
    return { kind: 'bad', why: `cannot read ${RECORD_REL}: ${(err as Error).message}` };
  }
  const judge = new RecordLines();
  let rowsFrom = 0;
  let dirsFrom: number | undefined;
  let dirsOrdered = true;
  let prevFile: string | undefined;
  let prevRunKey: string | undefined;
  const cursor = new LineCursor(fh.fd, path);
  try {
    for (let l = cursor.next(); l; l = cursor.next()) {
      const before = judge.state;
      const row = judge.lineBytes(l[0], l[1], l[2]);
      if (row === false) break;
      if (before === 'open') rowsFrom = cursor.offset + l[2] - l[1] + 1;
      if (row?.kind === 'f') {
        // Any other order than manifest write's: readManifest reads it.
        if (prevFile !== undefined && !(prevFile < row.path)) return { kind: 'unordered', fh };
        prevFile = row.path;
      } else if (row) {
        dirsFrom ??= cursor.offset;
        const run = runOf(`${row.path}/`);
        if (run !== null) {
          const key = `${run}/`;
          if (prevRunKey !== undefined && key < prevRunKey) dirsOrdered = false;
          prevRunKey = key;
        }
      }
    }
  } catch (err) {
    return { kind: 'bad', fh, why: `cannot read ${RECORD_REL}: ${(err as Error).message}` };
  }
  const bad = judge.end();
  // Not format 3 (or not even a first line): readManifest reads it as format 1 or 2, and words why it is no record.
  if (bad === 'older') return { kind: 'older', fh };
  if (bad !== undefined) return { kind: 'bad', fh, why: bad };
  const ok: RecordPass = { kind: 'ok', fh, manifestSha256: judge.manifestSha256!, rowsFrom, dirsOrdered };
  if (dirsFrom !== undefined) ok.dirsFrom = dirsFrom;
  return ok;
}

/** True when a record line is a row of that kind (",["f",..." or "["f",..."), told without parsing it. */
function rowKindIs(buf: Buffer, start: number, end: number, kind: number): boolean {
  const at = buf[start] === 44 /* , */ ? start + 1 : start;
  return end - at > 4 && buf[at] === 91 /* [ */ && buf[at + 1] === 34 && buf[at + 2] === kind && buf[at + 3] === 34;
}
const F = 102;
const D = 100;
const CLOSE = Buffer.from(ROWS_CLOSE);

function isClose(buf: Buffer, start: number, end: number): boolean {
  return end - start === CLOSE.length && buf.compare(CLOSE, 0, CLOSE.length, start, end) === 0;
}

/**
 * The manifest's entries in path order, each with its record when the record's row for that path
 * agrees (same SHA-256, stat facts present): the merge of two sorted files, holding one line of each.
 */
export class EntryCursor {
  private readonly lines: LineCursor;
  private readonly rows: LineCursor | undefined;
  private line = 0;
  private row: { path: string; sha256: string; record?: RecordEntry } | undefined;
  private rowsDone = false;

  constructor(fd: number, path: string, record: { fd: number; path: string; from: number } | undefined) {
    this.lines = new LineCursor(fd, path);
    this.rows = record ? new LineCursor(record.fd, record.path, record.from) : undefined;
    if (!this.rows) this.rowsDone = true;
  }

  next(): ManifestEntry | undefined {
    for (let l = this.lines.next(); l; l = this.lines.next()) {
      this.line++;
      const p = manifestLine(...l);
      if (p.kind !== 'ok') continue;
      const entry: ManifestEntry = { path: p.path, sha256: p.sha256, line: this.line };
      const rec = this.recordFor(p.path);
      if (rec && rec.sha256 === p.sha256 && isRecordEntry(rec)) {
        rec.sha256 = p.sha256; // one string for both
        entry.record = compact(rec);
      }
      return entry;
    }
    return undefined;
  }

  /** The record's row for `path`, passing rows of paths before it (the manifest no longer has them). */
  private recordFor(path: string): RecordEntry | undefined {
    while (!this.rowsDone && (this.row === undefined || this.row.path < path)) {
      const l = this.rows!.next();
      if (!l || isClose(...l)) {
        this.rowsDone = true;
        this.row = undefined;
        break;
      }
      if (!rowKindIs(...l, F)) continue;
      const parsed = parseRowBytes(l[0], l[1], l[2]);
      this.row = parsed?.kind === 'f' ? parsed : undefined;
    }
    return this.row?.path === path ? this.row.record : undefined;
  }
}

/**
 * A record entry as ManifestEntries keeps it: a negative line count and an empty findings list are
 * not kept. parseRow's object is taken as it is when it has neither (a copy per file was garbage
 * enough to show in the collector's time).
 */
function compact(rec: RecordEntry): RecordEntry {
  if ((rec.lines === undefined || rec.lines >= 0) && (rec.findings === undefined || rec.findings.length > 0)) return rec;
  const out: RecordEntry = { sha256: rec.sha256, size: rec.size, mtimeMs: rec.mtimeMs, ino: rec.ino };
  if (rec.appendOnly) out.appendOnly = true;
  if (rec.live) out.live = true;
  if (rec.lines !== undefined && rec.lines >= 0) out.lines = rec.lines;
  if (rec.findings && rec.findings.length > 0) out.findings = rec.findings;
  return out;
}

/** Stored directory rows, as RecordedDirs.add takes them. */
export interface StoredDir {
  mtimeMs: number;
  ino: number;
  names: string;
}

/** The record's directory rows, one run's at a time, runs asked for in increasing order. */
export class DirCursor {
  private readonly rows: LineCursor;
  private pending: { key: string; path: string; dir: StoredDir } | undefined;
  private done = false;

  constructor(fd: number, path: string, from: number) {
    this.rows = new LineCursor(fd, path, from);
  }

  /** Puts the rows of run `run` into `into` (a later row for a path wins), dropping rows of runs before it. */
  take(run: string, into: Map<string, StoredDir>): void {
    const key = `${run}/`;
    for (;;) {
      const row = this.pending ?? this.read();
      this.pending = undefined;
      if (!row) return;
      if (row.key < key) continue;
      if (row.key > key) {
        this.pending = row;
        return;
      }
      into.set(row.path, row.dir);
    }
  }

  private read(): { key: string; path: string; dir: StoredDir } | undefined {
    while (!this.done) {
      const l = this.rows.next();
      if (!l || isClose(...l)) {
        this.done = true;
        break;
      }
      if (!rowKindIs(...l, D)) continue;
      const row = parseRowBytes(l[0], l[1], l[2]);
      if (row?.kind !== 'd') continue;
      const run = runOf(`${row.path}/`);
      if (run === null) continue;
      return { key: `${run}/`, path: row.path, dir: { mtimeMs: row.mtimeMs, ino: row.ino, names: row.names } };
    }
    return undefined;
  }
}

/** Every directory row, for a record that keeps them out of run order (a `manifest write --run` carries old ones at the end). */
function readDirsWhole(fd: number, path: string, from: number): RecordedDirs {
  const dirs = new RecordedDirs();
  const rows = new LineCursor(fd, path, from);
  for (let l = rows.next(); l && !isClose(...l); l = rows.next()) {
    if (!rowKindIs(...l, D)) continue;
    const row = parseRowBytes(l[0], l[1], l[2]);
    if (row?.kind === 'd') dirs.add(row.path, row.mtimeMs, row.ino, row.names);
  }
  return dirs;
}
