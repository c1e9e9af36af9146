import type { Finding } from '../../../finding.js';
import type { PlanStep } from '../../../repair/RepairPlan.js';

/**
 * The repair step for trackio/duplicate-rows: safe, because nothing is lost. Each row taken out
 * is the second copy of a row that stays (same run, run_id, step, timestamp and metrics; the copy
 * with the log_id Trackio dedups by is the one kept), and the copy itself is kept byte for byte in
 * quarantine/<id>/<db>.rows.jsonl, on top of the verified pre-repair backup that undo restores.
 */
export function duplicateRowsStep(path: string, findings: Finding[]): Pick<PlanStep, 'action' | 'safe' | 'findings' | 'description'> {
  const rows = findings.reduce((n, f) => n + 1 + (f.more ?? 0), 0);
  return {
    action: 'quarantine-duplicate-rows',
    safe: true,
    findings,
    description: `write the ${rows} second cop${rows === 1 ? 'y' : 'ies'} of metrics rows (no log_id, identical to a row with one) to quarantine/ as JSONL with their table and id, then delete them in one transaction; the rows with the log_id stay`,
  };
}
