import { realpath } from 'node:fs/promises';
import type { CompareError } from '../compare/CompareResult.js';
import { commandLine } from '../commandLine.js';
import { FsckError } from '../errors.js';
import { exitCodeFor } from '../exitCodeFor.js';
import { isInside } from '../fs/isInside.js';
import { findDataDir } from '../layouts/findDataDir.js';
import { layoutNamed } from '../layouts/index.js';
import type { LayoutName } from '../layouts/Layout.js';
import { EXIT } from '../report.js';
import { applyPlan, resumeRepair, type RepairEvent } from '../repair/applyRepair.js';
import { unfinishedJournal, type Journal } from '../repair/Journal.js';
import type { RepairMode, Choice } from '../repair/repair.js';
import type { PlanStep, RepairPlan } from '../repair/RepairPlan.js';
import { keptEarlier } from './keptEarlier.js';
import type { MergeConflict } from './MergeDraft.js';

export type MergeMode = Exclude<RepairMode, 'preen'>;

export interface MergeOptions {
  /** dry-run: plan only; yes: apply; ask: `choose` decides; none: no one to ask, change nothing. */
  mode: MergeMode;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Merge into live units too, and take the lock from a dead holder's successor. */
  force?: boolean;
  /** Where the verified pre-merge copies go (default DIR/.trackio-fsck/repairs/<id>/). */
  backupDir?: string;
  /** How the merge was asked for, kept in the journal ("merge -y /mnt/offsite"). */
  command?: string;
  /** mode 'ask': the step ids to apply, or 'cancel'; for a resume, [] (no) or any id (yes). */
  choose?: (choice: Choice) => Promise<number[] | 'cancel'>;
  onEvent?: (e: MergeEvent) => void;
}

export type MergeEvent = RepairEvent | { type: 'interrupted'; journal: Journal } | { type: 'plan'; plan: MergePlanned };

/** What merge would do: the steps (as repair's), the conflicts, the units left alone because a writer is live. */
export interface MergePlanned {
  dir: string;
  source: string;
  layout: LayoutName;
  steps: PlanStep[];
  conflicts: MergeConflict[];
  liveUnits: Array<{ unit: string; reasons: string[] }>;
  /** Steps that bring something in (rows, records, files); the rest keep B's differing versions. */
  bringing: number;
}

export type MergeOutcome = (
  | { kind: 'undo-pending' | 'interrupted'; journal: Journal }
  | { kind: 'cancelled'; plan?: MergePlanned }
  | { kind: 'planned' | 'nothing-chosen'; plan: MergePlanned }
  | { kind: 'applied'; plan: MergePlanned; journal?: Journal; after: MergePlanned }
  | { kind: 'resumed'; journal?: Journal; after: MergePlanned }
) & { dir: string; source: string; mode: MergeMode; exitCode: number };

/**
 * `merge B [DIR]`: brings into DIR what B has and DIR lacks (rows, records, media, blobs, files)
 * as a repair does its fixes: plan (each layout's planMerge; no row brought twice, none
 * overwritten), choose, verified backup of every file that changes, journal, apply, then plan again
 * to verify nothing is left to bring. B is only read, as compare reads it. Conflicts (B's other
 * version of a row or file) are kept in quarantine, DIR's version untouched. `undo` reverts it.
 * exitCode: 1 merged, 0 nothing to bring, 4 conflicts left (or a dry run with work), 8 operational.
 */
export async function merge(source: string, dir: string | undefined, options: MergeOptions): Promise<MergeOutcome> {
  const { mode } = options;
  const env = { env: options.env, cwd: options.cwd };
  const into = findDataDir(dir, env);
  const from = findDataDir(source, { ...env, env: {} });
  if (into.layout !== from.layout) throw new FsckError(`cannot merge a ${from.layout} data dir (${from.dataDir}) into a ${into.layout} one (${into.dataDir})`);
  const [dirInto, dirFrom] = await Promise.all([realpath(into.dataDir), realpath(from.dataDir)]);
  if (dirInto === dirFrom) throw new FsckError(`${dirFrom} is the data dir itself: merge brings in another copy (an off-site copy, a snapshot)`, EXIT.usage);
  if (isInside(dirInto, dirFrom) || isInside(dirFrom, dirInto)) throw new FsckError(`${dirFrom} and ${dirInto} are inside one another: merge needs two separate data dirs`, EXIT.usage);
  const base = { dir: dirInto, source: dirFrom, mode };
  const command = options.command ?? `merge${mode === 'yes' ? ' -y' : ''} ${dirFrom}`;
  const applyOptions = { command, force: options.force, backupDir: options.backupDir, onEvent: options.onEvent };

  const unfinished = await unfinishedJournal(dirInto);
  // Another repair left halfway is finished (or undone) by the command that started it, not by a merge.
  if (unfinished && !unfinished.command.startsWith('merge')) {
    throw new FsckError(`${unfinished.command} (${unfinished.id}) was interrupted and must be finished or undone first: run ${commandLine('repair', '-y', dirInto)} (it resumes) or ${commandLine('undo', dirInto)}; nothing was changed`);
  }
  if (unfinished) {
    options.onEvent?.({ type: 'interrupted', journal: unfinished });
    if (unfinished.status === 'undoing') return { kind: 'undo-pending', journal: unfinished, ...base, exitCode: EXIT.uncorrected };
    if (mode === 'dry-run' || mode === 'none') return { kind: 'interrupted', journal: unfinished, ...base, exitCode: EXIT.uncorrected };
    if (mode === 'ask') {
      const answer = await ask(options, { type: 'resume', journal: unfinished });
      if (answer === 'cancel' || answer.length === 0) return { kind: 'cancelled', ...base, exitCode: EXIT.cancelled };
    }
    const outcome = await resumeRepair(dirInto, applyOptions);
    const after = await planFor(dirInto, dirFrom, into.layout, options.force);
    return { kind: 'resumed', journal: outcome?.journal, after, ...base, exitCode: exitAfter(after, true) };
  }

  const plan = await planFor(dirInto, dirFrom, into.layout, options.force);
  options.onEvent?.({ type: 'plan', plan });
  const leftCode = plan.steps.length > 0 || plan.conflicts.length > 0 ? EXIT.uncorrected : EXIT.clean;
  if (mode === 'dry-run' || mode === 'none' || plan.steps.length === 0) return { kind: 'planned', plan, ...base, exitCode: leftCode };
  let selected = plan.steps.map((s) => s.id);
  if (mode === 'ask') {
    const answer = await ask(options, { type: 'steps', steps: plan.steps });
    if (answer === 'cancel') return { kind: 'cancelled', plan, ...base, exitCode: EXIT.cancelled };
    selected = answer;
  }
  if (selected.length === 0) return { kind: 'nothing-chosen', plan, ...base, exitCode: leftCode };
  // applyPlan reads only the data dir and the steps of a plan; a merge has no check report to give it.
  const asRepair: RepairPlan = { dataDir: dirInto, layout: into.layout, steps: plan.steps, left: [], liveRuns: plan.liveUnits.map((u) => u.unit), check: undefined as never };
  const outcome = await applyPlan(asRepair, selected, applyOptions);
  const after = await planFor(dirInto, dirFrom, into.layout, options.force);
  return { kind: 'applied', plan, journal: outcome?.journal, after, ...base, exitCode: exitAfter(after, outcome !== undefined) };
}

/** The layout's plan, less what an earlier merge already keeps and what live units hold; steps numbered. */
async function planFor(dirInto: string, dirFrom: string, layoutName: LayoutName, force = false): Promise<MergePlanned> {
  const layout = layoutNamed(layoutName);
  const errors: CompareError[] = [];
  const draft = await layout.planMerge(dirInto, dirFrom, errors);
  if (errors.length > 0) {
    const e = errors[0]!;
    throw new FsckError(`cannot read ${e.side === 'a' ? 'the data dir' : e.side === 'b' ? 'the other copy' : ''} ${e.path}: ${e.message}${errors.length > 1 ? ` (and ${errors.length - 1} more)` : ''}; nothing was changed`);
  }
  const steps = await keptEarlier(dirInto, draft.steps, draft.conflicts);
  const live = force ? [] : await layout.liveUnits(dirInto);
  const liveSet = new Set(live.map((u) => u.unit));
  const kept = steps.filter((s) => !liveSet.has(s.run ?? layout.unitOf(s.path) ?? ''));
  const numbered = kept.map((s, i) => ({ ...s, id: i + 1 }));
  return {
    dir: dirInto,
    source: dirFrom,
    layout: layoutName,
    steps: numbered,
    conflicts: draft.conflicts,
    liveUnits: live.filter((u) => steps.some((s) => (s.run ?? layout.unitOf(s.path)) === u.unit)),
    bringing: numbered.filter(bringsSomething).length,
  };
}

/** A step that brings rows, records or files in (not one that only keeps B's version of a conflict). */
function bringsSomething(s: PlanStep): boolean {
  if (s.action === 'keep-theirs') return false;
  if (s.action === 'merge-rows' && s.merge) return s.merge.whole === true || Object.values(s.merge.bring ?? {}).some((ids) => ids.length > 0);
  return true;
}

/** After applying: 4 while conflicts (or anything to bring) are left, else 1 when something changed, 0 when nothing did. */
function exitAfter(after: MergePlanned, changed: boolean): number {
  return exitCodeFor({ kind: 'repaired', remaining: after.bringing + after.conflicts.length + after.liveUnits.length, changed });
}

async function ask(options: MergeOptions, choice: Choice): Promise<number[] | 'cancel'> {
  return options.choose ? options.choose(choice) : [];
}
