import { existsSync, lstatSync, readdirSync } from 'node:fs';
import { fsPath } from '../fs/pathBytes.js';
import { inspectLink, linkMessage, walkTree, type LinkInfo } from '../fs/walkTree.js';
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
  verifier.finish();
  // runs/ itself a link out of the data dir: said once, as check says it, even when nothing recorded lies behind it.
  const runsLink = lstatSync(fsPath(`${realRoot}/runs`), { throwIfNoEntry: false });
  if (runsLink?.isSymbolicLink() && !verifier.links.has('runs')) {
    const info = inspectLink(`${realRoot}/runs`, realRoot);
    if (info.escapes) emit(makeFinding('fs/symlink-escape', { run: null, path: 'runs' }, linkMessage(info)));
  }

  if (options.reportNew !== false) {
    const added: string[] = [];
    const reported = new Set(findings.filter((f) => f.code === 'fs/symlink-escape').map((f) => f.path));
    const once = (f: Finding) => (reported.has(f.path) ? undefined : emit(f));
    for (const rel of listRunTree(realRoot, once)) if (!state.entries.has(rel)) added.push(rel);
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
  /** Real path of each parent directory; null when it is gone; a link (never followed) by its path. */
  private readonly dirs = new Map<string, string | null | { link: string }>();
  /** Directory links met, reported once each (walkTree's rule: a link is never followed to walk a directory). */
  readonly links = new Map<string, { info: LinkInfo; under: number }>();

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
      const finding = judgeFile(entry, { path: entry.path, sha256: read.sha256, size: read.size, prefixSha256: read.prefixSha256, stat: read.stat });
      if (finding) this.emit(finding);
      return { status: finding ? (finding.code === 'manifest/appended' ? 'appended' : 'modified') : 'ok', size: read.size };
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

/**
 * Every file under runs/ (walkTree: lstat, links never followed, names exact), to find those the
 * manifest does not know. A link out of the data dir is reported as check reports it; what else
 * each entry is (a FIFO, a stray file in runs/) is check's concern.
 */
function listRunTree(realRoot: string, emit: (f: Finding) => void): string[] {
  const runs = lstatSync(`${realRoot}/runs`, { throwIfNoEntry: false });
  // A snapshot holding no runs/ has no new files; a runs/ that is a link is reported by the caller.
  if (!runs?.isDirectory()) return [];
  const out: string[] = [];
  for (const e of walkTree(`${realRoot}/runs`, { prefix: 'runs', escapeRoot: realRoot })) {
    const top = e.rel.indexOf('/', 5) === -1;
    if (e.kind === 'symlink' && e.link.escapes) emit(makeFinding('fs/symlink-escape', { run: runOf(e.rel + '/'), path: e.rel }, top ? `run directory is a ${linkMessage(e.link)}` : linkMessage(e.link)));
    else if (e.kind !== 'dir' && !top) out.push(e.rel);
  }
  return out;
}
