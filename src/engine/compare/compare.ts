import { realpath } from 'node:fs/promises';
import { FsckError } from '../errors.js';
import { findDataDir } from '../layouts/findDataDir.js';
import { EXIT } from '../report.js';
import { TOOL, VERSION } from '../version.js';
import type { CompareError, CompareResult } from './CompareResult.js';
import { emptyFileDiff } from './compareFiles.js';
import { layoutNamed } from '../layouts/index.js';
import { summarizeComparison } from './summarizeComparison.js';
import { startClock } from '../startClock.js';

export interface CompareOptions {
  /** Resolves relative paths (default: process.cwd()). */
  cwd?: string;
}

/**
 * Compares two data dirs of one layout (the local one and an off-site copy, or a snapshot): per
 * project and run, the rows or records only one side has, those that differ, highest steps,
 * configs, alerts, media and artifact files. Both are read read-only, as `check` reads them.
 * exitCode: 0 equal, 4 they differ, 8 something could not be read (the comparison is incomplete).
 */
export async function compare(a: string, b: string, options: CompareOptions = {}): Promise<CompareResult> {
  const elapsedMs = startClock();
  const env = { cwd: options.cwd, env: {} };
  const foundA = findDataDir(a, env);
  const foundB = findDataDir(b, env);
  if (foundA.layout !== foundB.layout) {
    throw new FsckError(`cannot compare a ${foundA.layout} data dir (${foundA.dataDir}) with a ${foundB.layout} one (${foundB.dataDir})`, EXIT.usage);
  }
  const [dirA, dirB] = await Promise.all([realpath(foundA.dataDir), realpath(foundB.dataDir)]);
  const errors: CompareError[] = [];
  const base = {
    tool: TOOL,
    version: VERSION,
    command: 'compare' as const,
    layout: foundA.layout,
    a: foundA.dataDir,
    b: foundB.dataDir,
    projects: [] as CompareResult['projects'],
    runs: [] as CompareResult['runs'],
    files: emptyFileDiff(),
    errors,
  };
  Object.assign(base, await layoutNamed(foundA.layout).compare(dirA, dirB, errors));
  const equal =
    errors.length === 0 &&
    base.projects.every((p) => p.equal) &&
    base.runs.every((r) => r.equal) &&
    base.files.onlyInA + base.files.onlyInB + base.files.differ === 0;
  const withEqual = { ...base, equal };
  return {
    ...withEqual,
    summary: summarizeComparison(withEqual),
    exitCode: errors.length > 0 ? EXIT.operational : equal ? EXIT.clean : EXIT.uncorrected,
    durationMs: Math.round(elapsedMs()),
  };
}
