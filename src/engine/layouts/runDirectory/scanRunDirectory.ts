import { existsSync, lstatSync } from 'node:fs';
import { lstat, realpath } from 'node:fs/promises';
import { fsPath } from '../../fs/pathBytes.js';
import { inspectLink, linkMessage, readNames } from '../../fs/walkTree.js';
import { join } from 'node:path';
import type { CheckEvent, CheckOptions, CheckResult } from '../../CheckOptions.js';
import { DEFAULT_LIVE_WINDOW_MS } from '../../defaults.js';
import { FsckError } from '../../errors.js';
import type { FileRecord, Finding } from '../../finding.js';
import { forEachConcurrently } from '../../forEachConcurrently.js';
import { openForWriting } from '../../live/openForWriting.js';
import { makeFinding } from '../../makeFinding.js';
import { ManifestCheck } from '../../manifest/ManifestCheck.js';
import { countSeverities, makeReport, sortFindings } from '../../report.js';
import type { DataDir } from '../Layout.js';
import { listRunFiles, type DirListing } from './listRunFiles.js';
import { checkFile, planRun, type RunPlan } from './scanRun.js';

/**
 * check for the run-directory layout: every file of every run read once, hashed, parsed and
 * validated, small files many at a time, a large metrics file on worker threads.
 */
export async function scanRunDirectory(found: DataDir, options: CheckOptions, onEvent?: (e: CheckEvent) => void): Promise<CheckResult> {
  const started = performance.now();
  const findings: Finding[] = [];
  const emit = (finding: Finding): void => {
    findings.push(finding);
    onEvent?.({ type: 'finding', finding });
  };

  const realDataDir = await realpath(found.dataDir);
  // Looking for writers in /proc overlaps with listing runs/ and reading the manifest: all wait on I/O.
  const writers = openForWriting(realDataDir);
  const runIds = await selectRuns(realDataDir, options.runs, emit);
  const manifest = options.manifest === false ? undefined : await ManifestCheck.open(realDataDir, options.manifest === true ? undefined : options.manifest, emit);
  const evidence = {
    openForWriting: await writers,
    liveWindowMs: options.liveWindowMs ?? DEFAULT_LIVE_WINDOW_MS,
    now: Date.now(),
    openFilesKnown: existsSync('/proc/self/fd'),
  };

  const plans: RunPlan[] = [];
  const records: FileRecord[] = [];
  const seen = new Set<string>();
  const dirs = new Map<string, DirListing>();
  const walk = { cache: options.fast ? manifest?.state.dirs : undefined, listed: dirs };
  for (const run of runIds) {
    const runAbs = join(realDataDir, 'runs', run);
    const notFiles = new Set<string>();
    const files = listRunFiles(runAbs, run, realDataDir, emit, { ...walk, notFiles });
    const plan = planRun(run, files, evidence, emit, notFiles);
    if (manifest) {
      for (const file of files) seen.add(file.rel);
      // --fast: a trusted file is done here, so its entry and stat die young (a third of the time of
      // 10 000 unchanged runs went to the garbage collector while they were kept to the end).
      if (options.fast) {
        plan.files = files.filter((file) => {
          const trusted = options.mustRead?.has(file.rel) ? undefined : manifest.trustedRecordIfUnchanged(file.rel, file.stat, plan.live, plan.run);
          if (!trusted) return true;
          records.push(trusted);
          return false;
        });
      }
    }
    plans.push(plan);
  }
  const tasks = plans.flatMap((p) => p.files.map((file) => ({ file, plan: p })));
  const totalBytes = tasks.reduce((n, t) => n + t.file.stat.size, 0);
  onEvent?.({ type: 'start', dataDir: found.dataDir, runs: plans.length, files: tasks.length, bytes: totalBytes });

  await forEachConcurrently(tasks, options.concurrency ?? 8, async ({ file, plan }) => {
    const own: Finding[] = [];
    const fileEmit = (f: Finding): void => {
      own.push(f);
      emit(f);
    };
    const record = await checkFile(file, plan.run, plan.live, fileEmit, manifest?.prefixBytesFor(file.rel));
    if (record) {
      // Kept with the record, so a manifest can remember them for check --fast.
      if (own.length > 0) record.findings = own;
      if (plan.live) record.live = true;
      manifest?.compare(record);
      records.push(record);
    }
    onEvent?.({ type: 'file', path: file.rel, bytes: file.stat.size });
  });
  // Every run checked: a recorded run whose folder is gone is missing too, as manifest verify says.
  await manifest?.finish(seen, options.runs && options.runs.length > 0 ? new Set(runIds) : undefined);
  records.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));

  const summary = {
    runs: plans.length,
    files: records.length,
    bytes: records.reduce((n, r) => n + r.size, 0),
    ...countSeverities(findings),
    durationMs: Math.round(performance.now() - started),
  };
  const report = makeReport('check', found.dataDir, found.layout, summary, sortFindings(findings), options.strict ?? false);
  return { report, files: records, runs: plans.map((p) => ({ run: p.run, live: p.live, liveWhy: p.liveWhy })), dirs };
}

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
  for (const name of readNames(runsDir)) {
    const st = lstatSync(fsPath(join(runsDir, name)), { throwIfNoEntry: false });
    if (!st) continue;
    if (st.isDirectory()) runs.push(name);
    else if (st.isSymbolicLink()) {
      const link = inspectLink(join(runsDir, name), dataDir);
      if (link.escapes) emit(makeFinding('fs/symlink-escape', { run: name, path: `runs/${name}` }, `run directory is a ${linkMessage(link)}`));
      else emit(makeFinding('fs/not-a-run', { run: null, path: `runs/${name}` }, `${linkMessage(link)}: runs are not followed through links`));
    } else if (!name.startsWith('.')) {
      emit(makeFinding('fs/not-a-run', { run: null, path: `runs/${name}` }, 'a file where run directories belong'));
    }
  }
  runs.sort();
  if (!wanted || wanted.length === 0) return runs;
  const have = new Set(runs);
  // A wanted run that is a link was reported above (never followed); it is not "no such run".
  const linked = new Set(readNames(runsDir).filter((name) => lstatSync(fsPath(join(runsDir, name)), { throwIfNoEntry: false })?.isSymbolicLink()));
  const missing = wanted.filter((r) => !have.has(r) && !linked.has(r));
  if (missing.length > 0) throw new FsckError(`no such run in ${dataDir}/runs: ${missing.join(', ')}`);
  return [...new Set(wanted)].filter((r) => have.has(r)).sort();
}
