import type { CheckEvent, CheckOptions, CheckResult } from './CheckOptions.js';
import { DEFAULT_LIVE_WINDOW_MS } from './defaults.js';
import { findDataDir } from './layouts/findDataDir.js';
import { layoutNamed } from './layouts/index.js';
import { findRestoreLeftovers } from './backup/restoreLeftovers.js';
import { makeFinding } from './makeFinding.js';
import { countSeverities, exitCodeFor, sortFindings } from './report.js';

export { DEFAULT_LIVE_WINDOW_MS };
export type { CheckEvent, CheckOptions, CheckResult };

/**
 * Checks a data dir read-only: every file of every unit read once, hashed, parsed and validated,
 * by the layout that reads it. Progress and findings go to `onEvent` as they happen; the engine
 * never touches a terminal.
 */
export async function check(dir: string | undefined, options: CheckOptions = {}, onEvent?: (e: CheckEvent) => void): Promise<CheckResult> {
  const found = findDataDir(dir, { env: options.env, cwd: options.cwd });
  const result = await layoutNamed(found.layout).scan(found, options, onEvent);
  // A killed restore's copy beside the data dir: the data is intact, but the copy takes disk space and the next restore settles it.
  const leftovers = findRestoreLeftovers(found.dataDir, true).map((l) =>
    makeFinding('backup/restore-leftover', { run: null, path: '.' }, `${l.path} is left by a restore that was killed before it changed the data dir; the next restore removes it, or remove it yourself`),
  );
  if (leftovers.length === 0) return result;
  for (const f of leftovers) onEvent?.({ type: 'finding', finding: f });
  const { report } = result;
  const findings = sortFindings([...report.findings, ...leftovers]);
  const summary = { ...report.summary, ...countSeverities(findings) };
  return { ...result, report: { ...report, findings, summary, exitCode: exitCodeFor(summary, options.strict) } };
}
