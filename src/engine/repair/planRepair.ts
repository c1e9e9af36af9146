import { lstat, realpath } from 'node:fs/promises';
import { join } from 'node:path';
import { check, type CheckEvent, type CheckOptions, type CheckResult } from '../check.js';
import type { FileRecord, Finding, FixAction } from '../finding.js';
import { kindFor } from '../layouts/runDirectory/scanRun.js';
import { isProblem, type FixProvider, type LeftFinding, type PlanStep, type RepairPlan } from './RepairPlan.js';
import { planJsonlSteps } from '../layouts/runDirectory/planJsonlSteps.js';
import { scanJsonlForRepair } from '../layouts/runDirectory/scanJsonlForRepair.js';

export interface PlanOptions extends CheckOptions {
  /** Plan fixes in live runs too, and ignore the modification-time window. */
  force?: boolean;
  /** Sources of fixes from outside (issue 5: restore-from-backup), asked first for every finding. */
  providers?: FixProvider[];
}

type StepDraft = Omit<PlanStep, 'id'>;

const LINE_ACTIONS: ReadonlySet<FixAction> = new Set(['trim-last-line', 'append-final-newline', 'strip-nul-bytes', 'quarantine-lines']);

/**
 * Checks the data dir and turns every finding that has a fix into plan steps, read-only. Line fixes
 * come from a second, uncapped scan of each damaged JSONL file, which also records its SHA-256: every
 * step names the exact bytes it will change and the file content it expects to find.
 */
export async function planRepair(dir: string | undefined, options: PlanOptions = {}, onEvent?: (e: CheckEvent) => void): Promise<RepairPlan> {
  const checkOptions: CheckOptions = { ...options, liveWindowMs: options.force ? 0 : options.liveWindowMs };
  const result = await check(dir, checkOptions, onEvent);
  return planFromCheck(result, options);
}

export async function planFromCheck(result: CheckResult, options: PlanOptions = {}): Promise<RepairPlan> {
  const { report } = result;
  const realDataDir = await realpath(report.dataDir);
  // Real Trackio's layout: a project (its database, blobs and media) is the unit a writer holds.
  const sqlite = report.layout === 'trackio-sqlite' ? await import('../layouts/trackioSqlite/planDatabaseSteps.js') : undefined;
  const liveRuns = sqlite ? (result.databases ?? []).filter((d) => d.live).map((d) => d.project) : result.runs.filter((r) => r.live).map((r) => r.run);
  const live = new Set(options.force ? [] : liveRuns);
  const records = new Map<string, FileRecord>(result.files.map((f) => [f.path, f]));
  const drafts: StepDraft[] = [];
  const left: LeftFinding[] = [];
  const jsonlPaths = new Map<string, string | null>();
  const quarantineFiles = new Map<string, Finding[]>();
  const quarantineRuns = new Map<string, Finding[]>();
  const provided = new Set<string>();
  const databases = new Map<string, Finding[]>();
  const isLive = (f: Finding) => f.run !== null && live.has(f.run);
  // Real Trackio's layout: a writer holds a whole project (database, blobs, media).
  const liveProject = (f: Finding) => {
    const project = sqlite?.projectOfPath(f.path);
    return project !== undefined && live.has(project) ? project : undefined;
  };
  const problemsOf = new Map<string, Finding[]>();
  for (const f of report.findings) if (isProblem(f) && !isLive(f) && liveProject(f) === undefined) pushTo(problemsOf, f.path, f);
  const covered = new Set<Finding>();

  for (const f of report.findings) {
    if (!isProblem(f)) continue;
    if (isLive(f)) {
      left.push({ finding: f, reason: 'the run is being written right now: stop the writer, or use --force' });
      continue;
    }
    const project = liveProject(f);
    if (project !== undefined) {
      left.push({ finding: f, reason: `project ${project} is being written right now (a Trackio writer holds it): stop the writer, or use --force` });
      continue;
    }
    if (covered.has(f)) continue;
    const fromProvider = await askProviders(options.providers, f, { dataDir: report.dataDir, record: records.get(f.path), findings: problemsOf.get(f.path) });
    if (fromProvider) {
      drafts.push(fromProvider);
      provided.add(fromProvider.path);
      for (const g of fromProvider.findings) covered.add(g);
      continue;
    }
    const action = f.fix?.action ?? 'none';
    if (LINE_ACTIONS.has(action) && isJsonlInRun(f)) jsonlPaths.set(f.path, f.run);
    else if (sqlite && (action === 'quarantine-rows' || action === 'salvage-database' || action === 'reindex-database')) pushTo(databases, f.path, f);
    else if (action === 'quarantine-file') pushTo(quarantineFiles, f.path, f);
    else if (action === 'quarantine-run' && f.run !== null) pushTo(quarantineRuns, f.run, f);
    else if (action === 'restore-from-backup') left.push({ finding: f, reason: 'no backup holds a verified copy of this file' });
    else left.push({ finding: f, reason: action === 'none' ? 'no automatic fix: needs a person' : `no repair for ${action} here` });
  }

  for (const [path, run] of jsonlPaths) {
    if (provided.has(path)) continue;
    const why = await notPlainFile(realDataDir, path);
    if (why) {
      leaveAll(report.findings, path, why, left);
      continue;
    }
    const scan = await scanJsonlForRepair(join(realDataDir, path), path, run);
    drafts.push(...planJsonlSteps(path, run, scan));
  }
  for (const [path, findings] of quarantineFiles) {
    if (provided.has(path)) continue;
    // Files check reports without reading (a stray -wal, an unfinished blob) are hashed here.
    const record = records.get(path) ?? (sqlite ? await sqlite.recordOf(realDataDir, path) : undefined);
    const why = record ? await notPlainFile(realDataDir, path) : 'the check could not read it';
    if (why) {
      for (const finding of findings) left.push({ finding, reason: why });
      continue;
    }
    const safe = findings.every((f) => f.fix?.safe === true);
    drafts.push({
      action: 'quarantine-file',
      safe,
      run: findings[0]!.run,
      path,
      description: `move the file (${record!.size} bytes) to quarantine/: ${findings.map((f) => f.code).join(', ')}`,
      findings,
      edits: [],
      pre: { sha256: record!.sha256, size: record!.size },
    });
  }
  for (const [run, findings] of quarantineRuns) {
    drafts.push({
      action: 'quarantine-run',
      safe: false,
      run,
      path: `runs/${run}`,
      description: `move the whole run to quarantine/: ${findings.map((f) => f.code).join(', ')}`,
      findings,
      edits: [],
      pre: null,
    });
  }

  if (sqlite) {
    for (const [path, findings] of databases) {
      const why = await notPlainFile(realDataDir, path);
      if (why) for (const finding of findings) left.push({ finding, reason: why });
      else drafts.push(...(await sqlite.planDatabaseSteps(realDataDir, path, findings)));
    }
  }
  const steps = subsume(drafts).map((d, i) => ({ id: i + 1, ...d }));
  return { dataDir: report.dataDir, layout: report.layout, steps, left, liveRuns, check: report };
}

async function askProviders(providers: FixProvider[] | undefined, f: Finding, ctx: Parameters<FixProvider>[1]): Promise<StepDraft | undefined> {
  for (const provide of providers ?? []) {
    const step = await provide(f, ctx);
    if (step) return { ...step, findings: step.findings.length ? step.findings : [f] };
  }
  return undefined;
}

/** A moved run or file makes every other fix inside it moot; order steps as people read findings. */
function subsume(drafts: StepDraft[]): StepDraft[] {
  const movedRuns = new Set(drafts.filter((d) => d.action === 'quarantine-run').map((d) => d.path + '/'));
  const whole = new Set(drafts.filter((d) => d.action === 'quarantine-file' || d.action === 'restore-from-backup').map((d) => d.path));
  const kept = drafts.filter((d) => {
    if (d.action !== 'quarantine-run' && [...movedRuns].some((r) => d.path.startsWith(r))) return false;
    if (d.action !== 'quarantine-file' && d.action !== 'restore-from-backup' && whole.has(d.path)) return false;
    return true;
  });
  return kept.sort((a, b) => cmp(a.path, b.path) || (a.edits[0]?.start ?? -1) - (b.edits[0]?.start ?? -1));
}

/** Why a path cannot be repaired in place (a link, not a regular file), or undefined when it can. */
async function notPlainFile(realDataDir: string, rel: string): Promise<string | undefined> {
  let dir = realDataDir;
  for (const part of rel.split('/')) {
    dir = join(dir, part);
    const st = await lstat(dir).catch(() => undefined);
    if (!st) return 'it is gone';
    if (st.isSymbolicLink()) return `${dir} is a symbolic link: repair never writes through one`;
  }
  const st = await lstat(dir);
  return st.isFile() ? undefined : 'not a regular file';
}

function leaveAll(findings: Finding[], path: string, reason: string, left: LeftFinding[]): void {
  for (const f of findings) if (f.path === path && isProblem(f)) left.push({ finding: f, reason });
}

function pushTo<K>(map: Map<K, Finding[]>, key: K, f: Finding): void {
  const list = map.get(key);
  if (list) list.push(f);
  else map.set(key, [f]);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function isJsonlInRun(f: Finding): boolean {
  const prefix = `runs/${f.run}/`;
  return f.run !== null && f.path.startsWith(prefix) && kindFor(f.path.slice(prefix.length)).name === 'jsonl';
}
