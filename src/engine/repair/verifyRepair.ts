import { check, type CheckOptions } from '../check.js';
import type { Finding } from '../finding.js';
import { exitCodeFor } from '../exitCodeFor.js';
import type { Report } from '../report.js';
import { isProblem } from './RepairPlan.js';
import type { Journal } from './Journal.js';

export interface Verification {
  /** The second check, after the repair. */
  report: Report;
  /** Problems still there (errors, and anything repair could mend). */
  remaining: Finding[];
  /**
   * Problems a done op was meant to mend and did not: e2fsck's rule is that the second pass finds
   * nothing the first one repaired, so any entry here is a bug in repair.
   */
  unmended: Finding[];
  /** fsck(8): 1 when everything was corrected, 4 when something is left, 0 when there was nothing to do. */
  exitCode: number;
}

/** Checks the data dir again after a repair and decides the exit code from what is left. */
export async function verifyRepair(dataDir: string, journal: Journal | undefined, options: CheckOptions = {}): Promise<Verification> {
  const { report } = await check(dataDir, options);
  const remaining = report.findings.filter(isProblem);
  const mended = new Map<string, Set<string>>();
  for (const op of journal?.ops ?? []) {
    if (op.state !== 'done') continue;
    for (const step of journal!.steps.filter((s) => op.steps.includes(s.id))) {
      const codes = mended.get(step.path) ?? new Set<string>();
      for (const f of step.findings) codes.add(f.code);
      mended.set(step.path, codes);
    }
  }
  const unmended = remaining.filter((f) => mended.get(f.path)?.has(f.code));
  const changed = (journal?.ops ?? []).some((op) => op.state === 'done');
  const exitCode = exitCodeFor({ kind: 'repaired', remaining: remaining.length, changed });
  return { report, remaining, unmended, exitCode };
}
