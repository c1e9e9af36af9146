import { realpath } from 'node:fs/promises';
import { resolveBackupsDir } from '../backup/resolveBackupsDir.js';
import { exitCodeFor, type Outcome } from '../exitCodeFor.js';
import { findDataDir } from '../layouts/findDataDir.js';
import type { CheckOptions } from '../CheckOptions.js';
import { applyPlan, resumeRepair, type RepairEvent } from './applyRepair.js';
import { unfinishedJournal, type Journal } from './Journal.js';
import { planRepair } from './planRepair.js';
import { isProblem, type PlanStep, type RepairPlan } from './RepairPlan.js';
import { restoreFromBackup } from './restoreFromBackup.js';
import { verifyRepair, type Verification } from './verifyRepair.js';

/** dry-run: plan only; preen: the safe fixes; yes: every fix; ask: `choose` decides; none: no one to ask, change nothing. */
export type RepairMode = 'dry-run' | 'preen' | 'yes' | 'ask' | 'none';

/** What `choose` is asked: which steps of a plan to apply, or whether to finish an interrupted repair. */
export type Choice = { type: 'steps'; steps: PlanStep[] } | { type: 'resume'; journal: Journal };

export type RepairSessionEvent =
  | RepairEvent
  /** A repair a crash interrupted was found; it is finished (or not) before anything else. */
  | { type: 'interrupted'; journal: Journal }
  /** The plan, before anything is chosen or changed. */
  | { type: 'plan'; plan: RepairPlan };

export interface RepairOptions extends Pick<CheckOptions, 'runs' | 'liveWindowMs' | 'env' | 'cwd'> {
  mode: RepairMode;
  /** How the repair was asked for, kept in the journal and the lock ("repair -y"). */
  command?: string;
  /** Repair live units too, and take the lock from a dead holder's successor. */
  force?: boolean;
  /** Where the verified pre-repair copies go (default DIR/.trackio-fsck/repairs/<id>/). */
  backupDir?: string;
  /** BACKUPS to heal from (restore-from-backup); default $TRACKIO_FSCK_BACKUPS, else trackio_backups beside the data dir. */
  backups?: string;
  /**
   * mode 'ask': the steps to apply (ids), or 'cancel'. For a resume the answer is [] (no) or any id (yes).
   * Called after the `plan` (or `interrupted`) event, so the caller can show what it asks about.
   */
  choose?: (choice: Choice) => Promise<number[] | 'cancel'>;
  onEvent?: (e: RepairSessionEvent) => void;
}

/** How a repair session ended; `exitCode` is exitCodeFor(outcome). */
export type RepairSessionOutcome = (
  | { kind: 'undo-pending'; journal: Journal }
  | { kind: 'interrupted'; journal: Journal }
  | { kind: 'cancelled'; plan?: RepairPlan }
  | { kind: 'planned'; plan: RepairPlan }
  | { kind: 'nothing-chosen'; plan: RepairPlan }
  | { kind: 'applied'; plan: RepairPlan; journal?: Journal; verification: Verification }
  | { kind: 'resumed'; journal?: Journal; verification: Verification }
) & { dataDir: string; mode: RepairMode; exitCode: number };

/**
 * The repair session, as e2fsck runs it: finish an interrupted repair first; else check, plan, choose
 * (by mode, or through `choose`), back up every file an op changes (verified by SHA-256) and apply,
 * then check again. The exit code comes from the second check: 1 corrected, 4 left, 0 nothing to do.
 */
export async function repair(dir: string | undefined, options: RepairOptions): Promise<RepairSessionOutcome> {
  const { mode } = options;
  const dataDir = await realpath(findDataDir(dir, { env: options.env, cwd: options.cwd }).dataDir);
  const checkOptions: CheckOptions = { runs: options.runs, liveWindowMs: options.force ? 0 : options.liveWindowMs, env: options.env, cwd: options.cwd };
  const applyOptions = { command: options.command ?? `repair${mode === 'yes' ? ' -y' : mode === 'preen' ? ' -p' : ''}`, force: options.force, backupDir: options.backupDir, onEvent: options.onEvent };
  const end = <K extends RepairSessionOutcome['kind']>(o: Omit<Extract<RepairSessionOutcome, { kind: K }>, 'dataDir' | 'mode' | 'exitCode'> & { kind: K }, outcome: Outcome) =>
    ({ ...o, dataDir, mode, exitCode: exitCodeFor(outcome) }) as RepairSessionOutcome;

  const unfinished = await unfinishedJournal(dataDir);
  if (unfinished) {
    options.onEvent?.({ type: 'interrupted', journal: unfinished });
    if (unfinished.status === 'undoing') return end({ kind: 'undo-pending', journal: unfinished }, { kind: 'left', problems: 1 });
    if (mode === 'dry-run' || mode === 'none') return end({ kind: 'interrupted', journal: unfinished }, { kind: 'left', problems: 1 });
    if (mode === 'ask') {
      const answer = await ask(options, { type: 'resume', journal: unfinished });
      if (answer === 'cancel' || answer.length === 0) return end({ kind: 'cancelled' }, { kind: 'cancelled' });
    }
    const outcome = await resumeRepair(dataDir, applyOptions);
    const verification = await verifyRepair(dataDir, outcome?.journal, checkOptions);
    return { kind: 'resumed', journal: outcome?.journal, verification, dataDir, mode, exitCode: verification.exitCode };
  }

  const backupsDir = resolveBackupsDir({ dest: options.backups, dataDir, cwd: options.cwd, env: options.env });
  const plan = await planRepair(dataDir, { ...checkOptions, force: options.force, providers: [restoreFromBackup(backupsDir)], backupsDir });
  options.onEvent?.({ type: 'plan', plan });
  const problems = plan.check.findings.filter(isProblem).length;
  if (mode === 'dry-run' || mode === 'none' || plan.steps.length === 0) return end({ kind: 'planned', plan }, { kind: 'left', problems });

  let selected: number[];
  if (mode === 'preen') selected = plan.steps.filter((s) => s.safe).map((s) => s.id);
  else if (mode === 'yes') selected = plan.steps.map((s) => s.id);
  else {
    const answer = await ask(options, { type: 'steps', steps: plan.steps });
    if (answer === 'cancel') return end({ kind: 'cancelled', plan }, { kind: 'cancelled' });
    selected = answer;
  }
  if (selected.length === 0) return end({ kind: 'nothing-chosen', plan }, { kind: 'left', problems });
  const outcome = await applyPlan(plan, selected, applyOptions);
  const verification = await verifyRepair(dataDir, outcome?.journal, checkOptions);
  return { kind: 'applied', plan, journal: outcome?.journal, verification, dataDir, mode, exitCode: verification.exitCode };
}

async function ask(options: RepairOptions, choice: Choice): Promise<number[] | 'cancel'> {
  // No way to ask is a "no": nothing changes.
  return options.choose ? options.choose(choice) : [];
}
