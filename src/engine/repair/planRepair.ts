import { realpath } from 'node:fs/promises';
import { join } from 'node:path';
import { check, type CheckEvent, type CheckOptions, type CheckResult } from '../check.js';
import type { FileRecord, Finding } from '../finding.js';
import { layoutNamed } from '../layouts/index.js';
import type { StepDraft } from '../layouts/Layout.js';
import { imageOf } from './fileState.js';
import { notPlainFile } from './notPlainFile.js';
import { isProblem, type FixProvider, type LeftFinding, type RepairPlan } from './RepairPlan.js';

export interface PlanOptions extends CheckOptions {
  /** Plan fixes in live runs too, and ignore the modification-time window. */
  force?: boolean;
  /** Sources of fixes from outside (issue 5: restore-from-backup), asked first for every finding. */
  providers?: FixProvider[];
  /** Where `backup` keeps snapshots: passed to layouts' planners (a salvage heals rows from a verified snapshot). */
  backupsDir?: string;
}


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
  const layout = layoutNamed(report.layout);
  // The unit a writer holds: a run, or in Trackio's layout a whole project (database, blobs, media).
  const liveRuns = result.runs.filter((r) => r.live).map((r) => r.run);
  const live = new Set(options.force ? [] : liveRuns);
  const records = new Map<string, FileRecord>(result.files.map((f) => [f.path, f]));
  const drafts: StepDraft[] = [];
  const left: LeftFinding[] = [];
  const layoutFixes = new Map<string, Finding[]>();
  const quarantineFiles = new Map<string, Finding[]>();
  const quarantineRuns = new Map<string, Finding[]>();
  const provided = new Set<string>();
  const liveUnit = (f: Finding): string | undefined => {
    const unit = layout.unitOf(f.path) ?? f.run ?? undefined;
    return unit !== undefined && live.has(unit) ? unit : undefined;
  };
  const problemsOf = new Map<string, Finding[]>();
  for (const f of report.findings) if (isProblem(f) && liveUnit(f) === undefined) pushTo(problemsOf, f.path, f);
  const covered = new Set<Finding>();

  for (const f of report.findings) {
    if (!isProblem(f)) continue;
    const unit = liveUnit(f);
    if (unit !== undefined) {
      const why = result.runs.find((r) => r.run === unit)?.liveWhy;
      left.push({ finding: f, reason: why ? `the ${layout.unitNoun} looks live (${why})` : layout.liveReason(unit) });
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
    if (action !== 'none' && layout.ownsFix(action, f)) pushTo(layoutFixes, f.path, f);
    else if (action === 'quarantine-file') pushTo(quarantineFiles, f.path, f);
    else if (action === 'quarantine-run' && f.run !== null) pushTo(quarantineRuns, f.run, f);
    else if (action === 'restore-from-backup') left.push({ finding: f, reason: 'no backup holds a verified copy of this file' });
    else left.push({ finding: f, reason: action === 'none' ? 'no automatic fix: needs a person' : `no repair for ${action} here` });
  }

  for (const [path, findings] of layoutFixes) {
    if (provided.has(path)) continue;
    const planned = await layout.planFixes({ realDataDir, records, backupsDir: options.backupsDir }, path, findings);
    drafts.push(...planned.steps);
    left.push(...planned.left);
  }
  for (const [path, findings] of quarantineFiles) {
    if (provided.has(path)) continue;
    // Files check reports without reading (a stray -wal, an unfinished blob) are hashed here.
    const record = records.get(path) ?? (await imageOf(join(realDataDir, path)).catch(() => undefined));
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
  const steps = subsume(drafts).map((d, i) => ({ id: i + 1, ...d }));
  const liveWhy = Object.fromEntries(result.runs.filter((r) => r.live && r.liveWhy).map((r) => [r.run, r.liveWhy!]));
  return { dataDir: report.dataDir, layout: report.layout, steps, left, liveRuns, liveWhy, check: report };
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



function pushTo<K>(map: Map<K, Finding[]>, key: K, f: Finding): void {
  const list = map.get(key);
  if (list) list.push(f);
  else map.set(key, [f]);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

