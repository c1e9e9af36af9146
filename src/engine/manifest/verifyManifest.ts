import { existsSync, lstatSync, readdirSync, realpathSync, type Dirent } from 'node:fs';
import { realpath } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Finding } from '../finding.js';
import { FsckError } from '../errors.js';
import { isInside } from '../fs/isInside.js';
import { CHUNK_BYTES } from '../fs/readFileOnce.js';
import { findDataDir } from '../layouts/findDataDir.js';
import { LAYOUTS, layoutNamed } from '../layouts/index.js';
import type { LayoutName } from '../layouts/Layout.js';
import { makeFinding } from '../makeFinding.js';
import { countSeverities, makeReport, sortFindings, type Report } from '../report.js';
import { hashFileSync, NotAFileError } from '../fs/hashFileSync.js';
import { judgeFile } from './judgeFile.js';
import { MANIFEST_NAME, runOf } from './manifestPaths.js';
import { readManifest, type ManifestEntry } from './readManifest.js';
import { commandLine } from '../commandLine.js';

export interface VerifyOptions {
  /** Warnings count as errors for the exit code. */
  strict?: boolean;
  /** Also report files under runs/ that the manifest does not record (default true). */
  reportNew?: boolean;
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
  const state = await readManifest(realRoot);
  if (!state) throw new FsckError(`no ${MANIFEST_NAME} in ${root}. Write one: ${commandLine('manifest', 'write', root)}`);
  for (const p of state.problems) emit(p);

  const entries = [...state.entries.values()];
  const bytes = entries.reduce((n, e) => n + (e.record?.size ?? 0), 0);
  onEvent?.({ type: 'start', dir: root, files: entries.length, bytes });

  const statuses = new Map<string, Status>();
  const verifier = new EntryVerifier(realRoot, emit);
  let hashed = 0;
  for (const entry of entries) {
    const { status, size } = verifier.verify(entry);
    statuses.set(entry.path, status);
    hashed += size;
    onEvent?.({ type: 'file', path: entry.path, bytes: size });
  }

  if (options.reportNew !== false) {
    const added: string[] = [];
    for (const rel of listRunTree(realRoot)) if (!state.entries.has(rel)) added.push(rel);
    for (const rel of added.sort()) emit(makeFinding('manifest/new', { run: runOf(rel), path: rel }, 'not in the manifest: written after it. Record it: trackio-fsck manifest write'));
  }

  // What the byte manifest cannot hold (a project database's rows) is verified by its layout.
  await layoutNamed(layout).verifyRecords(realRoot, emit);
  const runs = new Set(entries.map((e) => runOf(e.path)).filter((r) => r !== null));
  const summary = {
    runs: runs.size,
    files: entries.length,
    bytes: hashed,
    ...countSeverities(findings),
    durationMs: Math.round(performance.now() - started),
  };
  const report = makeReport('manifest verify', root, layout, summary, sortFindings(findings), options.strict ?? false);
  const files = entries.map((e) => ({ path: e.path, status: statuses.get(e.path)! }));
  return { report, files };
}

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
  /** Real path of each parent directory, or null when it is gone; a run's files share a few. */
  private readonly dirs = new Map<string, string | null>();

  constructor(
    private readonly realRoot: string,
    private readonly emit: (f: Finding) => void,
  ) {}

  verify(entry: ManifestEntry): { status: Status; size: number } {
    const where = { run: runOf(entry.path), path: entry.path };
    const cut = entry.path.lastIndexOf('/');
    const prefixBytes = entry.record?.appendOnly ? entry.record.size : undefined;
    try {
      const dir = cut === -1 ? this.realRoot : this.realDir(entry.path.slice(0, cut));
      if (dir === null) return this.missing(entry);
      if (!isInside(this.realRoot, dir)) return this.escape(where, dir);
      let path = `${dir}/${entry.path.slice(cut + 1)}`;
      let read;
      try {
        read = hashFileSync(path, this.buf, prefixBytes);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') return this.missing(entry);
        if (code !== 'ELOOP') throw err;
        // The file itself is a symbolic link: followed only when it stays inside the data dir.
        const target = realpathOrNull(path);
        if (target === null) return this.missing(entry);
        if (!isInside(this.realRoot, target)) return this.escape(where, target);
        path = target;
        read = hashFileSync(path, this.buf, prefixBytes);
      }
      const finding = judgeFile(entry, { path: entry.path, sha256: read.sha256, size: read.size, prefixSha256: read.prefixSha256, stat: read.stat });
      if (finding) this.emit(finding);
      return { status: finding ? (finding.code === 'manifest/appended' ? 'appended' : 'modified') : 'ok', size: read.size };
    } catch (err) {
      const message = err instanceof NotAFileError ? err.message : `cannot read: ${(err as Error).message}`;
      this.emit(makeFinding('fs/unreadable', where, message));
      return { status: 'unreadable', size: 0 };
    }
  }

  /**
   * Real path of a directory of the tree, one lstat per directory: a plain directory extends its
   * parent's real path, only a link is resolved in full. null when it is gone.
   */
  private realDir(relDir: string): string | null {
    let real = this.dirs.get(relDir);
    if (real !== undefined) return real;
    const cut = relDir.lastIndexOf('/');
    const parent = cut === -1 ? this.realRoot : this.realDir(relDir.slice(0, cut));
    if (parent === null) real = null;
    else {
      const path = `${parent}/${relDir.slice(cut + 1)}`;
      const st = lstatSync(path, { throwIfNoEntry: false });
      real = !st ? null : st.isSymbolicLink() ? realpathOrNull(path) : path;
    }
    this.dirs.set(relDir, real);
    return real;
  }

  private escape(where: { run: string | null; path: string }, real: string): { status: Status; size: number } {
    this.emit(makeFinding('fs/symlink-escape', where, `leads to ${real}, outside the data dir: not opened`));
    return { status: 'unsafe', size: 0 };
  }

  private missing(entry: ManifestEntry): { status: Status; size: number } {
    this.emit(makeFinding('manifest/missing', { run: runOf(entry.path), path: entry.path }, `recorded in the manifest (line ${entry.line}) but gone`));
    return { status: 'missing', size: 0 };
  }
}

function realpathOrNull(path: string): string | null {
  try {
    return realpathSync.native(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR') return null;
    throw err;
  }
}

/**
 * Every file name under runs/, to find those the manifest does not know. Names only: one readdir
 * per directory and no stat, nothing opened, links not followed (what they are is check's concern).
 */
function* listRunTree(realRoot: string): Generator<string> {
  const walk = function* (abs: string, rel: string): Generator<string> {
    let entries: Dirent[];
    try {
      entries = readdirSync(abs, { withFileTypes: true });
    } catch {
      return; // gone or unreadable: not a new file
    }
    for (const e of entries) {
      if (e.isDirectory()) yield* walk(`${abs}/${e.name}`, `${rel}/${e.name}`);
      else yield `${rel}/${e.name}`;
    }
  };
  let runs: Dirent[];
  try {
    runs = readdirSync(`${realRoot}/runs`, { withFileTypes: true });
  } catch {
    return; // a snapshot holding no runs/ has no new files
  }
  // Run directories only; whatever else lives in runs/ is check's business.
  for (const run of runs) if (run.isDirectory()) yield* walk(`${realRoot}/runs/${run.name}`, `runs/${run.name}`);
}
