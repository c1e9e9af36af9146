import { existsSync, lstatSync } from 'node:fs';
import { lstat, realpath } from 'node:fs/promises';
import { fsPath } from '../../fs/pathBytes.js';
import { inspectLink, linkMessage, readEntries } from '../../fs/walkTree.js';
import { join } from 'node:path';
import type { CheckEvent, CheckOptions, CheckResult } from '../../CheckOptions.js';
import { DEFAULT_LIVE_WINDOW_MS } from '../../defaults.js';
import { FsckError } from '../../errors.js';
import type { FileRecord, Finding } from '../../finding.js';
import { forEachConcurrently } from '../../forEachConcurrently.js';
import { openForWriting } from '../../live/openForWriting.js';
import { makeFinding } from '../../makeFinding.js';
import { openManifestLookup } from '../../manifest/openManifestLookup.js';
import { countSeverities, makeReport, sortFindings } from '../../report.js';
import type { DataDir } from '../Layout.js';
import { listRunFiles, type DirListing, type FileEntry } from './listRunFiles.js';
import { checkFile, checkFileSync, planRun, prepareKinds, type RunPlan } from './scanRun.js';
import { syncReads } from './syncReads.js';
import { favourSmallHeap } from './heapPolicy.js';
import { scanWindow } from './scanWindow.js';
import { startClock } from '../../startClock.js';

/**
 * check for the run-directory layout: every file of every run read once, hashed, parsed and
 * validated, small files many at a time, a large metrics file on worker threads.
 */
export async function scanRunDirectory(found: DataDir, options: CheckOptions, onEvent?: (e: CheckEvent) => void): Promise<CheckResult> {
  const elapsedMs = startClock();
  const findings: Finding[] = [];
  const emit = (finding: Finding): void => {
    findings.push(finding);
    onEvent?.({ type: 'finding', finding });
  };

  const realDataDir = await realpath(found.dataDir);
  const runIds = await selectRuns(realDataDir, options.runs, emit);
  // Looking for writers in /proc (30-100 ms with a few hundred processes) overlaps with reading the
  // manifest; with no run to check there is no file a writer could hold, so it is skipped.
  const writers = runIds.length > 0 ? openForWriting(realDataDir) : Promise.resolve(new Set<string>());
  // Unmet recorded files count as missing in the checked runs only (every recorded run when all are checked).
  const scope = options.runs && options.runs.length > 0 ? new Set(runIds) : undefined;
  const manifest = options.manifest === false ? undefined : await openManifestLookup(realDataDir, options.manifest === true ? undefined : options.manifest, emit, { dirs: options.fast === true, runs: scope });
  const evidence = {
    openForWriting: await writers,
    liveWindowMs: options.liveWindowMs ?? DEFAULT_LIVE_WINDOW_MS,
    now: Date.now(),
    openFilesKnown: existsSync('/proc/self/fd'),
  };

  const keepFiles = options.keepFiles ?? true;
  const records: FileRecord[] = [];
  // Why each live run is live; the list of runs is made at the end from runIds (an object per run
  // kept through the whole walk was most of what the old generation gained at 100 000 runs).
  const liveRuns = new Map<string, string | undefined>();
  const dirs = options.keepDirs === false ? undefined : new Map<string, DirListing>();
  // onDir: listings go to the caller window by window instead of into one Map of every directory.
  const windowDirs = options.onDir ? new Map<string, DirListing>() : undefined;
  const walk = { cache: options.fast ? manifest?.dirCache : undefined, listed: windowDirs ?? dirs };
  let files = 0;
  let bytes = 0;
  let trusted = 0;
  // Delivered in path order, window by window, then dropped unless the caller keeps them.
  const deliver = (done: FileRecord[]): void => {
    done.sort(byPath);
    for (const r of done) {
      files++;
      bytes += r.size;
      if (r.trusted) trusted++;
      options.onFile?.(r);
      if (keepFiles) records.push(r);
    }
  };

  // Runs are listed, planned and read a window at a time, and each window's entries, stats and
  // records are dropped before the next is listed: memory stays flat at any number of files (a data
  // dir of 20 000 runs listed whole held 100 000 FileEntry objects with their Stats to the end).
  let announced = false;
  const restoreHeap = favourSmallHeap(runIds.length);
  try {
    const readBuffer = Buffer.allocUnsafe(syncReads.bufferBytes);
    // Nothing to read, nothing to load: an empty data dir's check stays at start-up cost.
    if (runIds.length > 0) await prepareKinds();
    for (let next = 0; next < runIds.length; ) {
      const plans: RunPlan[] = [];
      const done: FileRecord[] = [];
      let windowFiles = 0;
      while (next < runIds.length && windowFiles < scanWindow.files) {
        const run = runIds[next++]!;
        const runAbs = join(realDataDir, 'runs', run);
        const notFiles = new Set<string>();
        manifest?.enterRun(run);
        const listed = listRunFiles(runAbs, run, realDataDir, emit, { ...walk, notFiles });
        const plan = planRun(run, listed, evidence, emit, notFiles);
        windowFiles += listed.length;
        if (manifest) {
          for (const file of listed) manifest.markSeen(file.rel);
          // --fast: a trusted file is done here, so its entry and stat die young (a third of the time of
          // 10 000 unchanged runs went to the garbage collector while they were kept to the end).
          if (options.fast) {
            plan.files = listed.filter((file) => {
              const record = options.mustRead?.has(file.rel) ? undefined : manifest.trustedRecordIfUnchanged(file.rel, file.stat, plan.live, plan.run);
              if (!record) return true;
              done.push(record);
              return false;
            });
          }
        }
        plans.push(plan);
        if (plan.live) liveRuns.set(plan.run, plan.liveWhy);
      }
      const tasks = plans.flatMap((p) => p.files.map((file) => ({ file, plan: p })));
      if (!announced) {
        announced = true;
        const windowBytes = tasks.reduce((n, t) => n + t.file.stat.size, 0);
        const whole = next >= runIds.length;
        const scale = whole ? 1 : runIds.length / next;
        onEvent?.({ type: 'start', dataDir: found.dataDir, runs: runIds.length, files: Math.round(tasks.length * scale), bytes: Math.round(windowBytes * scale), ...(whole ? {} : { estimated: true }) });
      }
      const finishFile = (file: FileEntry, plan: RunPlan, own: Finding[], record: FileRecord | undefined): void => {
        if (record) {
          // Kept with the record, so a manifest can remember them for check --fast.
          if (own.length > 0) record.findings = own;
          if (plan.live) record.live = true;
          manifest?.compare(record);
          done.push(record);
        }
        onEvent?.({ type: 'file', path: file.rel, bytes: file.stat.size });
      };
      // Small files first, synchronously, one after the other; the rest (and any a kind must read
      // itself) a few at a time on the thread pool.
      const later: typeof tasks = [];
      for (const task of tasks) {
        const { file, plan } = task;
        if (file.stat.size > syncReads.maxBytes) {
          later.push(task);
          continue;
        }
        const own: Finding[] = [];
        const fileEmit = (f: Finding): void => {
          own.push(f);
          emit(f);
        };
        const record = checkFileSync(file, plan.run, plan.live, fileEmit, manifest?.prefixBytesFor(file.rel), readBuffer);
        if (record === false) later.push(task);
        else finishFile(file, plan, own, record);
      }
      await forEachConcurrently(later, options.concurrency ?? 8, async ({ file, plan }) => {
        const own: Finding[] = [];
        const fileEmit = (f: Finding): void => {
          own.push(f);
          emit(f);
        };
        finishFile(file, plan, own, await checkFile(file, plan.run, plan.live, fileEmit, manifest?.prefixBytesFor(file.rel)));
      });
      deliver(done);
      manifest?.endWindow();
      // A window of synchronous reads never returned to the event loop: signals and timers get their turn here.
      await new Promise((resolve) => setImmediate(resolve));
      if (windowDirs) {
        for (const [rel, listing] of windowDirs) options.onDir!(rel, listing);
        windowDirs.clear();
      }
    }
    if (!announced) onEvent?.({ type: 'start', dataDir: found.dataDir, runs: 0, files: 0, bytes: 0 });
    // Every run checked: a recorded run whose folder is gone is missing too, as manifest verify says.
    await manifest?.finish(scope);
  } finally {
    restoreHeap();
    await manifest?.close();
  }
  const runs: CheckResult['runs'] = [...runIds]
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    .map((run) => ({ run, live: liveRuns.has(run), liveWhy: liveRuns.get(run) }));

  const summary = {
    runs: runs.length,
    files,
    bytes,
    ...countSeverities(findings),
    durationMs: Math.round(elapsedMs()),
  };
  const report = makeReport('check', found.dataDir, found.layout, summary, sortFindings(findings), options.strict ?? false);
  const result: CheckResult = { report, files: records, runs, dirs: dirs ?? new Map() };
  if (options.fast && manifest) result.trusted = trusted;
  return result;
}

function byPath(a: FileRecord, b: FileRecord): number {
  return a.path < b.path ? -1 : a.path > b.path ? 1 : 0;
}

/**
 * Order of run ids whose paths (`runs/<id>/...`) then sort as whole paths do: 'a-b/' < 'a/', so
 * 'a-b' comes first. Compared in place, as if each id ended with '/': building `${id}/` for both
 * sides of each of the ~1.7 million comparisons that sort 100 000 runs was garbage enough to push
 * the run list into the old generation.
 */
function byRunPath(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = a.charCodeAt(i) - b.charCodeAt(i);
    if (d !== 0) return d;
  }
  if (a.length === b.length) return 0;
  return a.length < b.length ? SLASH - b.charCodeAt(n) : a.charCodeAt(n) - SLASH;
}
const SLASH = 0x2f;

async function selectRuns(dataDir: string, wanted: string[] | undefined, emit: (f: Finding) => void): Promise<string[]> {
  const runsDir = join(dataDir, 'runs');
  const runs: string[] = [];
  // walkTree's rule: a link is never followed to walk a directory, runs/ itself included.
  const top = await lstat(runsDir).catch(() => undefined);
  if (top?.isSymbolicLink()) {
    const link = inspectLink(runsDir, dataDir);
    emit(makeFinding(link.escapes ? 'fs/symlink-escape' : 'fs/not-a-run', { run: null, path: 'runs' }, `runs/ is a ${linkMessage(link)}; no run behind it is read`));
    if (wanted && wanted.length > 0) throw new FsckError(`no such run in ${dataDir}/runs (runs/ is a symbolic link, not followed): ${wanted.join(', ')}`);
    return [];
  }
  const linked = new Set<string>();
  // The directory entry's own type says "directory" without an lstat per run (Node lstats the
  // entries a filesystem leaves untyped): a hook checking one run of a thousand stats one, not 2,000.
  // Only the few entries that are not directories are sorted (their findings come out in name order); runs are sorted once, below.
  const others: string[] = [];
  for (const { name, isDir } of readEntries(runsDir)) {
    if (isDir) runs.push(name);
    else others.push(name);
  }
  others.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  for (const name of others) {
    const st = lstatSync(fsPath(join(runsDir, name)), { throwIfNoEntry: false });
    if (!st) continue;
    if (st.isDirectory()) runs.push(name);
    else if (st.isSymbolicLink()) {
      linked.add(name);
      const link = inspectLink(join(runsDir, name), dataDir);
      if (link.escapes) emit(makeFinding('fs/symlink-escape', { run: name, path: `runs/${name}` }, `run directory is a ${linkMessage(link)}`));
      else emit(makeFinding('fs/not-a-run', { run: null, path: `runs/${name}` }, `${linkMessage(link)}: runs are not followed through links`));
    } else if (!name.startsWith('.')) {
      emit(makeFinding('fs/not-a-run', { run: null, path: `runs/${name}` }, 'a file where run directories belong'));
    }
  }
  runs.sort(byRunPath);
  if (!wanted || wanted.length === 0) return runs;
  const have = new Set(runs);
  // A wanted run that is a link was reported above (never followed); it is not "no such run".
  const missing = wanted.filter((r) => !have.has(r) && !linked.has(r));
  if (missing.length > 0) throw new FsckError(`no such run in ${dataDir}/runs: ${missing.join(', ')}`);
  return [...new Set(wanted)].filter((r) => have.has(r)).sort(byRunPath);
}
