import { existsSync, lstatSync, statSync } from 'node:fs';
import { fsPath } from '../fs/pathBytes.js';
import { inspectLink, linkMessage, type LinkInfo } from '../fs/walkTree.js';
import { realpath } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Finding } from '../finding.js';
import { FsckError } from '../errors.js';
import { CHUNK_BYTES } from '../fs/readFileOnce.js';
import { findDataDir } from '../layouts/findDataDir.js';
import { LAYOUTS, layoutNamed } from '../layouts/index.js';
import type { LayoutName } from '../layouts/Layout.js';
import { makeFinding } from '../makeFinding.js';
import { countSeverities, makeReport, sortFindings, type Report } from '../report.js';
import { hashFileSync, NotAFileError } from '../fs/hashFileSync.js';
import { HashPool, hashWorkersFor } from '../fs/HashPool.js';
import { TreeQueue, treeWorkersFor } from '../fs/TreeQueue.js';
import { DEFERRED, type TreeEntry } from '../fs/hashFilesBatch.js';
import { listDirTyped } from '../fs/listDirTyped.js';
import { judgeFile } from './judgeFile.js';
import { MANIFEST_NAME, manifestPaths, runOf } from './manifestPaths.js';
import { readManifest, type ManifestEntry } from './readManifest.js';
import type { ManifestEntries } from './ManifestEntries.js';
import { commandLine } from '../commandLine.js';

export interface VerifyOptions {
  /** Warnings count as errors for the exit code. */
  strict?: boolean;
  /** Also report files under runs/ that the manifest does not record (default true). */
  reportNew?: boolean;
  /** Keep each recorded file's status in VerifyResult.files (default true; false keeps memory flat at any number of files). */
  keepFiles?: boolean;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

export type VerifyEvent =
  | { type: 'start'; dir: string; files: number; bytes: number }
  | { type: 'file'; path: string; bytes: number }
  | { type: 'finding'; finding: Finding };

export interface VerifyResult {
  report: Report;
  /** Per recorded file: what the read found ('ok', or the code of its finding). */
  files: Array<{ path: string; status: 'ok' | 'appended' | 'modified' | 'missing' | 'unsafe' | 'unreadable' }>;
}

/**
 * Verifies a data dir, a copy of one or a backup snapshot against its manifest: every recorded
 * file is read in full and hashed, however its size, mtime or inode look (after a copy they all
 * differ; only check --fast trusts them). Paths are relative, so the directory may have moved.
 * A path that leaves the directory, directly or through a symbolic link, is never opened.
 */
export async function verifyManifest(dir: string | undefined, options: VerifyOptions = {}, onEvent?: (e: VerifyEvent) => void): Promise<VerifyResult> {
  const started = performance.now();
  const { root, layout } = locate(dir, options);
  const findings: Finding[] = [];
  const emit = (f: Finding): void => {
    findings.push(f);
    onEvent?.({ type: 'finding', finding: f });
  };
  const realRoot = await realpath(root);
  let entries: ManifestEntries;
  const walked: Walked = { unknown: [], escapes: [], large: [] };
  // One status per manifest row (a byte each; 0: not read yet), not a Map of every path.
  let statuses = new Uint8Array(0);
  const verifier = new EntryVerifier(realRoot, emit);
  let hashed = 0;
  const settle = (row: number, entry: ManifestEntry, r: { status: Status; size: number }): void => {
    statuses[row] = STATUS_CODE[r.status];
    hashed += r.size;
    onEvent?.({ type: 'file', path: entry.path, bytes: r.size });
  };
  // One walk of runs/ both finds the files the manifest does not know and hashes those it does, by
  // the path the walk just listed (no lstat per file or directory on the way), a run directory at a
  // time, on this thread and, for many files, a worker thread beside it (TreeQueue); a recorded
  // file the walk did not meet as a plain file (gone, behind a link, outside runs/), or that could
  // not be read where it was listed, is looked up on its own afterwards. The workers start walking
  // at once, while this thread reads the manifest.
  const runNames = listRuns(realRoot, walked);
  const manifestBytes = statSync(fsPath(manifestPaths(realRoot).manifest), { throwIfNoEntry: false })?.size ?? 0;
  const queue = new TreeQueue(
    runNames.map((name) => `${realRoot}/runs/${name}`),
    treeWorkersFor(Math.floor(manifestBytes / BYTES_PER_LINE), options.env),
  );
  let pool: HashPool | undefined;
  const judgeTree = (known: ManifestEntries, tag: number, found: TreeEntry[]): void => {
    const runRel = `runs/${runNames[tag]}`;
    for (const e of found) {
      const rel = `${runRel}/${e.rel}`;
      const row = known.rowOf(rel);
      if (e.type === 'symlink') {
        const link = inspectLink(`${realRoot}/${rel}`, realRoot);
        if (link.escapes) walked.escapes.push(makeFinding('fs/symlink-escape', { run: runOf(rel + '/'), path: rel }, linkMessage(link)));
        else if (row === undefined) walked.unknown.push(rel);
      } else if (row === undefined) walked.unknown.push(rel);
      // A recorded link or special file, or a file that could not be read as listed, is looked up on its own below.
      else if (e.type !== 'file' || !e.outcome) continue;
      else if (e.outcome.error === DEFERRED) walked.large.push(row, `${realRoot}/${rel}`);
      else if (e.outcome.error) continue;
      // An append-only file that differs is read again with its prefix hashed (below): did it only grow?
      else if (known.isAppendOnly(row) && !known.shaIs(row, e.outcome.sha256)) continue;
      // The usual case, the recorded bytes: no entry object made to say so (judgeFile would find nothing).
      else if (known.shaIs(row, e.outcome.sha256)) {
        statuses[row] = STATUS_CODE.ok;
        hashed += e.outcome.size;
        onEvent?.({ type: 'file', path: rel, bytes: e.outcome.size });
      } else {
        const entry = known.entryOfRow(row);
        settle(row, entry, verifier.judge(entry, e.outcome));
      }
    }
  };
  try {
    const state = await readManifest(realRoot, { skipDirs: true });
    if (!state) throw new FsckError(`no ${MANIFEST_NAME} in ${root}. Write one: ${commandLine('manifest', 'write', root)}`);
    for (const p of state.problems) emit(p);
    const known = (entries = state.entries);
    onEvent?.({ type: 'start', dir: root, files: known.size, bytes: known.recordedBytes() });
    statuses = new Uint8Array(known.size);
    // Recorded files too large for a walk's buffer, one by one, on worker threads when they are many bytes (HashPool).
    const large = (pool = new HashPool(hashWorkersFor(known.size, known.recordedBytes(), options.env), (row, outcome) => {
      if (outcome.error) return;
      const entry = known.entryOfRow(row);
      settle(row, entry, verifier.judge(entry, outcome));
    }));
    await queue.run((tag, found) => {
      judgeTree(known, tag, found);
      return walked.large.length > 0 ? hashLarge(large, known, walked) : undefined;
    });
    for (;;) {
      await hashLarge(large, known, walked);
      await large.drain();
      if (walked.large.length === 0) break;
    }
  } finally {
    await queue.close();
    await pool?.close();
  }
  for (let row = 0; row < entries.size; row++) {
    if (statuses[row] !== 0) continue;
    const entry = entries.entryOfRow(row);
    settle(row, entry, verifier.verify(entry));
  }
  verifier.finish();
  // runs/ itself a link out of the data dir: said once, as check says it, even when nothing recorded lies behind it.
  const runsLink = lstatSync(fsPath(`${realRoot}/runs`), { throwIfNoEntry: false });
  if (runsLink?.isSymbolicLink() && !verifier.links.has('runs')) {
    const info = inspectLink(`${realRoot}/runs`, realRoot);
    if (info.escapes) emit(makeFinding('fs/symlink-escape', { run: null, path: 'runs' }, linkMessage(info)));
  }

  if (options.reportNew !== false) {
    const reported = new Set(findings.filter((f) => f.code === 'fs/symlink-escape').map((f) => f.path));
    for (const f of walked.escapes) if (!reported.has(f.path)) emit(f);
    for (const rel of walked.unknown.sort()) emit(makeFinding('manifest/new', { run: runOf(rel), path: rel }, 'not in the manifest: written after it. Record it: trackio-fsck manifest write'));
  }

  // What the byte manifest cannot hold (a project database's rows) is verified by its layout.
  await layoutNamed(layout).verifyRecords(realRoot, emit);
  // Runs counted as runOf names them (runs/<name>/...), a run's paths being next to each other in a written manifest.
  const runs = new Set<string>();
  let previous: string | undefined;
  for (const path of entries.keys()) {
    const cut = path.startsWith('runs/') ? path.indexOf('/', 5) : -1;
    if (cut <= 5) continue;
    const run = path.slice(5, cut);
    if (run !== previous) runs.add((previous = run));
  }
  const summary = {
    runs: runs.size,
    files: entries.size,
    bytes: hashed,
    ...countSeverities(findings),
    durationMs: Math.round(performance.now() - started),
  };
  const report = makeReport('manifest verify', root, layout, summary, sortFindings(findings), options.strict ?? false);
  const files: VerifyResult['files'] = [];
  if (options.keepFiles !== false) for (const [path, row] of entries.rowEntries()) files.push({ path, status: STATUSES[statuses[row]! - 1]! });
  return { report, files };
}

/** A manifest line is 64 hex digits, two spaces, a path and a newline: about this long for a run's files. */
const BYTES_PER_LINE = 140;

const STATUSES = ['ok', 'appended', 'modified', 'missing', 'unsafe', 'unreadable'] as const;
const STATUS_CODE = Object.fromEntries(STATUSES.map((s, i) => [s, i + 1])) as Record<Status, number>;

/** A directory holding the manifest is taken as is (a snapshot need not look like a data dir); otherwise the data dir is found as check finds it. */
function locate(dir: string | undefined, options: VerifyOptions): { root: string; layout: LayoutName } {
  if (dir !== undefined) {
    const abs = resolve(options.cwd ?? process.cwd(), dir);
    // A folder of <project>.db files (a Trackio data dir or a snapshot of one) is the SQLite layout.
    if (existsSync(join(abs, MANIFEST_NAME))) return { root: abs, layout: (LAYOUTS.find((l) => l.locate(abs) === abs) ?? LAYOUTS[0]!).name };
  }
  const found = findDataDir(dir, { env: options.env, cwd: options.cwd });
  return { root: found.dataDir, layout: found.layout };
}

type Status = VerifyResult['files'][number]['status'];

/** Reads recorded files one after another, synchronously, through one reused buffer (see hashFileSync). */
class EntryVerifier {
  private readonly buf = Buffer.allocUnsafe(CHUNK_BYTES);
  /** Real path of each parent directory; null when it is gone; a link (never followed) by its path. */
  private readonly dirs = new Map<string, string | null | { link: string }>();
  /** Directory links met, reported once each (walkTree's rule: a link is never followed to walk a directory). */
  readonly links = new Map<string, { info: LinkInfo; under: number }>();

  constructor(
    private readonly realRoot: string,
    private readonly emit: (f: Finding) => void,
  ) {}

  judge(entry: ManifestEntry, read: { sha256: string; size: number; prefixSha256?: string; stat: { size: number; mtimeMs: number; ino: number } }): { status: Status; size: number } {
    const finding = judgeFile(entry, { path: entry.path, sha256: read.sha256, size: read.size, prefixSha256: read.prefixSha256, stat: read.stat });
    if (finding) this.emit(finding);
    return { status: finding ? (finding.code === 'manifest/appended' ? 'appended' : 'modified') : 'ok', size: read.size };
  }

  verify(entry: ManifestEntry): { status: Status; size: number } {
    const where = { run: runOf(entry.path), path: entry.path };
    const cut = entry.path.lastIndexOf('/');
    const prefixBytes = entry.record?.appendOnly ? entry.record.size : undefined;
    try {
      const dir = cut === -1 ? this.realRoot : this.realDir(entry.path.slice(0, cut));
      if (dir === null) return this.missing(entry);
      if (typeof dir === 'object') return this.throughLink(entry, dir.link);
      let path = `${dir}/${entry.path.slice(cut + 1)}`;
      let read;
      try {
        read = hashFileSync(path, this.buf, prefixBytes);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') return this.missing(entry);
        if (code !== 'ELOOP') throw err;
        // The file itself is a symbolic link: read as its file only when that stays inside the data dir (as check does).
        const link = inspectLink(path, this.realRoot);
        if (link.real === undefined) return this.escape(where, link);
        if (link.escapes) return this.escape(where, link);
        if (link.toDir) throw new NotAFileError(`${linkMessage(link)} (a directory, not a file)`);
        path = link.real;
        read = hashFileSync(path, this.buf, prefixBytes);
      }
      return this.judge(entry, read);
    } catch (err) {
      const notFile = err instanceof NotAFileError;
      this.emit(makeFinding(notFile ? 'fs/not-a-file' : 'fs/unreadable', where, notFile ? err.message : `cannot read: ${(err as Error).message}`));
      return { status: 'unreadable', size: 0 };
    }
  }

  /** Reports each directory link once, with how many recorded files lie behind it. */
  finish(): void {
    for (const [rel, { info, under }] of this.links) {
      const behind = `; ${under} recorded file${under === 1 ? '' : 's'} behind it not opened`;
      if (info.escapes) this.emit(makeFinding('fs/symlink-escape', { run: runOf(rel + '/'), path: rel }, linkMessage(info) + behind));
    }
  }

  /**
   * Real path of a directory of the tree, one lstat per directory: a plain directory extends its
   * parent's path; a symbolic link is never followed (check does not walk through one either).
   */
  private realDir(relDir: string): string | null | { link: string } {
    let real = this.dirs.get(relDir);
    if (real !== undefined) return real;
    const cut = relDir.lastIndexOf('/');
    const parent = cut === -1 ? this.realRoot : this.realDir(relDir.slice(0, cut));
    if (parent === null || typeof parent === 'object') real = parent;
    else {
      const path = `${parent}/${relDir.slice(cut + 1)}`;
      const st = lstatSync(fsPath(path), { throwIfNoEntry: false });
      if (!st) real = null;
      else if (st.isSymbolicLink()) {
        this.links.set(relDir, { info: inspectLink(path, this.realRoot), under: 0 });
        real = { link: relDir };
      } else real = path;
    }
    this.dirs.set(relDir, real);
    return real;
  }

  private throughLink(entry: ManifestEntry, linkRel: string): { status: Status; size: number } {
    const link = this.links.get(linkRel)!;
    link.under++;
    // Outside the data dir: one fs/symlink-escape for the link (finish), not one per file behind it.
    if (link.info.escapes) return { status: 'unsafe', size: 0 };
    this.emit(makeFinding('manifest/missing', { run: runOf(entry.path), path: entry.path }, `recorded in the manifest (line ${entry.line}), but ${linkRel} is now a symbolic link (to ${link.info.real}): not followed`));
    return { status: 'missing', size: 0 };
  }

  private escape(where: { run: string | null; path: string }, link: LinkInfo): { status: Status; size: number } {
    this.emit(makeFinding('fs/symlink-escape', where, linkMessage(link)));
    return { status: 'unsafe', size: 0 };
  }

  private missing(entry: ManifestEntry): { status: Status; size: number } {
    this.emit(makeFinding('manifest/missing', { run: runOf(entry.path), path: entry.path }, `recorded in the manifest (line ${entry.line}) but gone`));
    return { status: 'missing', size: 0 };
  }
}

interface Walked {
  /** Files under a run the manifest does not record. */
  unknown: string[];
  escapes: Finding[];
  /** Recorded files too large for a batch of trees, [row, path] pairs flat, to hash one by one. */
  large: Array<number | string>;
}

/** Hands the large recorded files met so far to the pool, each with its prefix when append-only. */
async function hashLarge(pool: HashPool, entries: ManifestEntries, walked: Walked): Promise<void> {
  const large = walked.large.splice(0);
  for (let i = 0; i < large.length; i += 2) {
    const row = large[i] as number;
    const size = entries.sizeOf(row);
    await pool.add(row, { path: large[i + 1] as string, prefixBytes: entries.isAppendOnly(row) ? size : -1 }, size);
  }
}

/**
 * The run directories in runs/, listed as walkTree lists (links never followed, names exact, in
 * order), with the types the listing gives instead of an lstat per entry; a link out of the data
 * dir is reported as check reports it. A stray file in runs/ is check's concern.
 */
function listRuns(realRoot: string, walked: Walked): string[] {
  const runs = lstatSync(`${realRoot}/runs`, { throwIfNoEntry: false });
  // A snapshot holding no runs/ has no new files; a runs/ that is a link is reported by the caller.
  if (!runs?.isDirectory()) return [];
  let list;
  try {
    list = listDirTyped(`${realRoot}/runs`);
  } catch {
    return []; // walkTree's rule: a directory that cannot be listed is skipped (its recorded files are looked up one by one)
  }
  const names: string[] = [];
  for (const e of list) {
    const rel = `runs/${e.name}`;
    if (e.type === 'dir') names.push(e.name);
    else if (e.type === 'symlink') {
      const link = inspectLink(`${realRoot}/${rel}`, realRoot);
      if (link.escapes) walked.escapes.push(makeFinding('fs/symlink-escape', { run: runOf(rel + '/'), path: rel }, `run directory is a ${linkMessage(link)}`));
    }
  }
  return names;
}
