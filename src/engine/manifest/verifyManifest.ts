import { existsSync, readdirSync } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Finding } from '../finding.js';
import { FsckError } from '../errors.js';
import { isInside } from '../io/isInside.js';
import { readFileOnce } from '../io/readFileOnce.js';
import { findDataDir, type Layout } from '../layout/findDataDir.js';
import { makeFinding } from '../makeFinding.js';
import { countSeverities, makeReport, sortFindings, type Report } from '../report.js';
import { listRunFilesSync } from '../runs/listRunFilesSync.js';
import { judgeFile } from './judgeFile.js';
import { MANIFEST_NAME, runOf } from './manifestPaths.js';
import { readManifest, type ManifestEntry } from './readManifest.js';

export interface VerifyOptions {
  /** Warnings count as errors for the exit code. */
  strict?: boolean;
  /** Files read at once. */
  concurrency?: number;
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
  if (!state) throw new FsckError(`no ${MANIFEST_NAME} in ${root}. Write one: trackio-fsck manifest write ${root}`);
  for (const p of state.problems) emit(p);

  const entries = [...state.entries.values()];
  const bytes = entries.reduce((n, e) => n + (e.record?.size ?? 0), 0);
  onEvent?.({ type: 'start', dir: root, files: entries.length, bytes });

  const statuses = new Map<string, VerifyResult['files'][number]['status']>();
  let hashed = 0;
  await forEachConcurrently(entries, options.concurrency ?? 4, async (entry) => {
    const { status, size } = await verifyEntry(realRoot, entry, emit);
    statuses.set(entry.path, status);
    hashed += size;
    onEvent?.({ type: 'file', path: entry.path, bytes: size });
  });

  if (options.reportNew !== false) {
    for (const { rel, size } of listRunTree(realRoot)) {
      if (!state.entries.has(rel)) emit(judgeFile(undefined, { path: rel, sha256: '', size })!);
    }
  }

  const runs = new Set(entries.map((e) => runOf(e.path)).filter((r) => r !== null));
  const summary = {
    runs: runs.size,
    files: entries.length,
    bytes: hashed,
    ...countSeverities(findings),
    durationMs: Math.round(performance.now() - started),
  };
  const report = makeReport('manifest verify', root, layout, summary, sortFindings(findings), options.strict ?? false);
  const files = entries.map((e) => ({ path: e.path, status: statuses.get(e.path)! })).sort((a, b) => (a.path < b.path ? -1 : 1));
  return { report, files };
}

/** A directory holding the manifest is taken as is (a snapshot need not look like a data dir); otherwise the data dir is found as check finds it. */
function locate(dir: string | undefined, options: VerifyOptions): { root: string; layout: Layout } {
  if (dir !== undefined) {
    const abs = resolve(options.cwd ?? process.cwd(), dir);
    if (existsSync(join(abs, MANIFEST_NAME))) return { root: abs, layout: 'run-directory' };
  }
  const found = findDataDir(dir, { env: options.env, cwd: options.cwd });
  return { root: found.dataDir, layout: found.layout };
}

async function verifyEntry(realRoot: string, entry: ManifestEntry, emit: (f: Finding) => void): Promise<{ status: VerifyResult['files'][number]['status']; size: number }> {
  const run = runOf(entry.path);
  const where = { run, path: entry.path };
  const abs = join(realRoot, entry.path);
  let real: string;
  try {
    real = await realpath(abs);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      emit(makeFinding('manifest/missing', where, `recorded in the manifest (line ${entry.line}) but gone`));
      return { status: 'missing', size: 0 };
    }
    emit(makeFinding('fs/unreadable', where, `cannot resolve: ${(err as Error).message}`));
    return { status: 'unreadable', size: 0 };
  }
  // Symbolic links inside the tree may lead out of it: resolved first, never opened when they do.
  if (!isInside(realRoot, real)) {
    emit(makeFinding('fs/symlink-escape', where, `leads to ${real}, outside the data dir: not opened`));
    return { status: 'unsafe', size: 0 };
  }
  try {
    const st = await stat(real);
    if (!st.isFile()) {
      emit(makeFinding('fs/unreadable', where, 'not a regular file: not read'));
      return { status: 'unreadable', size: 0 };
    }
    const prefixBytes = entry.record?.appendOnly ? entry.record.size : undefined;
    const read = await readFileOnce(real, undefined, { prefixBytes });
    const finding = judgeFile(entry, { path: entry.path, sha256: read.sha256, size: read.size, prefixSha256: read.prefixSha256, stat: read.stat });
    if (finding) emit(finding);
    return { status: finding ? (finding.code === 'manifest/appended' ? 'appended' : 'modified') : 'ok', size: read.size };
  } catch (err) {
    emit(makeFinding('fs/unreadable', where, `cannot read: ${(err as Error).message}`));
    return { status: 'unreadable', size: 0 };
  }
}

/** Every regular file under runs/, to find the ones the manifest does not know; nothing is opened. */
function* listRunTree(realRoot: string): Generator<{ rel: string; size: number }> {
  const runsDir = join(realRoot, 'runs');
  let runs: string[];
  try {
    // Run directories only; whatever else lives in runs/ is check's business.
    runs = readdirSync(runsDir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
  } catch {
    return; // a snapshot holding no runs/ has no new files
  }
  for (const run of runs) {
    for (const f of listRunFilesSync(join(runsDir, run), run, realRoot, () => {})) yield { rel: f.rel, size: f.stat.size };
  }
}

async function forEachConcurrently<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await fn(items[next++]!);
  });
  await Promise.all(workers);
}
