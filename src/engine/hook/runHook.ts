import { relative, sep } from 'node:path';
import type { CheckResult } from '../check.js';
import type { Finding } from '../finding.js';
import { countSeverities, EXIT, exitCodeFor, sortFindings } from '../report.js';
import { layoutNamed } from '../layouts/index.js';
import { mapFilesToRuns, type FileMapping } from './mapFilesToRuns.js';

export interface HookOptions {
  /** Warnings block the commit too. */
  strict?: boolean;
  /** See CheckOptions.liveWindowMs. */
  liveWindowMs?: number;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

export interface HookDataDir {
  /** Absolute path of the data dir. */
  dataDir: string;
  /** The same, relative to the working directory ('.' for itself): what people type. */
  shown: string;
  runs: string[];
  /** Runs that were being written during the check: they never block. */
  liveRuns: string[];
  findings: Finding[];
}

export interface HookResult {
  checked: HookDataDir[];
  mapping: FileMapping;
  errors: number;
  warnings: number;
  /** 0: let the commit through; 4: block it. */
  exitCode: number;
}

/**
 * The pre-commit check: maps the staged files to their runs and checks only those runs, each data
 * dir once. Files outside any data dir are ignored; a run deleted in the commit is fine; a live run
 * is reported but never blocks (the engine does not call its unfinished tail damage).
 */
export async function runHook(files: readonly string[], options: HookOptions = {}): Promise<HookResult> {
  const cwd = options.cwd ?? process.cwd();
  const mapping = mapFilesToRuns(files, { cwd, env: options.env });
  const checked: HookDataDir[] = [];
  // Most commits touch no run: they never load the check engine.
  const { check } = mapping.targets.length > 0 ? await import('../check.js') : { check: undefined };
  for (const target of mapping.targets) {
    // check verifies against the data dir's manifest when there is one (manifest/modified blocks,
    // manifest/appended and manifest/new are info). --fast rules skip the files of the touched runs
    // whose stat matches the manifest's record, except the staged ones: what goes into the commit is always read.
    const result: CheckResult = await check!(target.dataDir, {
      runs: target.runs,
      strict: options.strict,
      liveWindowMs: options.liveWindowMs,
      cwd,
      fast: true,
      mustRead: new Set(target.files),
    });
    const touched = new Set(target.runs);
    checked.push({
      dataDir: target.dataDir,
      shown: relative(cwd, target.dataDir).split(sep).join('/') || '.',
      runs: target.runs,
      liveRuns: result.runs.filter((r) => r.live).map((r) => r.run),
      // check() also reports on the data dir as a whole (stray files, linked runs); only the touched units are this commit's business.
      findings: sortFindings(result.report.findings.filter((f) => touched.has(layoutNamed(target.layout).unitOf(f.path) ?? f.run ?? ''))),
    });
  }
  const counts = countSeverities(checked.flatMap((d) => d.findings));
  const exitCode = exitCodeFor(counts, options.strict ?? false);
  return { checked, mapping, errors: counts.errors, warnings: counts.warnings, exitCode: exitCode === EXIT.clean ? EXIT.clean : EXIT.uncorrected };
}
