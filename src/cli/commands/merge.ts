import type { MergeMode, MergeOutcome, MergePlanned } from '../../engine/merge/merge.js';
import type { Journal } from '../../engine/repair/Journal.js';
import type { PlanStep } from '../../engine/repair/RepairPlan.js';
import { formatBytes, plural } from '../render/formatBytes.js';
import { printJson, runCommand } from '../runCommand.js';
import { makeStyle } from '../style.js';
import { cliContext } from '../cliContext.js';
import type { ArgsOf } from '../options.js';

export type MergeArgs = ArgsOf<'merge'>;

function modeOf(args: MergeArgs): MergeMode {
  if (args['dry-run']) return 'dry-run';
  if (args.yes) return 'yes';
  return process.stdin.isTTY && !args.json ? 'ask' : 'none';
}

export const mergeHandler = (args: MergeArgs) => runCommand(() => runMerge(args, modeOf(args)), { writes: 'nothing was changed' });

/** The merge session (src/engine/merge/merge.ts) on a terminal: prints what the engine reports and asks its questions. */
async function runMerge(args: MergeArgs, mode: MergeMode): Promise<number> {
  const [{ merge }, { askChoice }, { renderStep }] = await Promise.all([
    import('../../engine/merge/merge.js'),
    import('../prompt/chooseSteps.js'),
    import('../render/renderPlan.js'),
  ]);
  const c = makeStyle(process.stdout, args.color);
  const say = (text = '') => {
    if (!args.json && !cliContext.quiet) process.stdout.write(text + '\n');
  };
  const outcome = await merge(args.source, args.dir, {
    mode,
    force: args.force,
    backupDir: args['backup-dir'],
    command: ['merge', mode === 'yes' ? '-y' : '', args.force ? '--force' : '', args.source].filter(Boolean).join(' '),
    onEvent: (e) => {
      if (e.type === 'lock-replaced') say(c.yellow(`note: took over the lock of ${e.owner.command} (pid ${e.owner.pid} on ${e.owner.host}), which is no longer running`));
      else if (e.type === 'interrupted') say(c.yellow(`${e.journal.command} (${e.journal.id}) was interrupted while ${e.journal.status === 'undoing' ? 'undoing' : e.journal.status === 'backing-up' ? 'backing up' : 'applying'}.`));
      else if (e.type === 'plan') {
        say(`${c.bold('trackio-fsck merge')} (${e.plan.layout} layout)`);
        say(`  from ${e.plan.source}`);
        say(`  into ${e.plan.dir}`);
        say('');
        say(renderMergePlan(e.plan, c, renderStep));
      }
    },
    choose: (choice) => askChoice(choice, { finish: 'Finish it?', noun: 'Step' }, (s: PlanStep) => renderStep(s, c), say),
  });
  const dir = outcome.dir;
  switch (outcome.kind) {
    case 'undo-pending':
      say(`Finish the undo first: trackio-fsck undo ${dir}`);
      break;
    case 'interrupted':
      say(`Nothing was changed. To finish it: trackio-fsck merge -y ${outcome.source} ${dir}   To go back: trackio-fsck undo ${dir}`);
      break;
    case 'cancelled':
      say('Cancelled: nothing was changed.');
      break;
    case 'planned':
      if (outcome.plan.steps.length > 0 && mode === 'dry-run') say(`\nDry run: nothing was changed. To merge: trackio-fsck merge -y ${outcome.source} ${dir}`);
      if (outcome.plan.steps.length > 0 && mode === 'none') say(`\nNothing was changed: no terminal to ask on. Run trackio-fsck merge -y ${outcome.source} ${dir}, or -n to only look`);
      break;
    case 'nothing-chosen':
      say('\nNothing chosen: nothing was changed.');
      break;
    case 'resumed':
    case 'applied':
      if (outcome.journal) say(renderMerged(outcome.journal, outcome.kind, c));
      say(renderAfter(outcome.after, c));
      if (outcome.journal) say(c.dim(`To go back to the exact bytes from before: trackio-fsck undo ${dir}`));
      break;
  }
  if (args.json) printJson(jsonDoc(outcome));
  return outcome.exitCode;
}

type Style = ReturnType<typeof makeStyle>;

function renderMergePlan(plan: MergePlanned, c: Style, renderStep: (s: PlanStep, c: Style) => string): string {
  const out: string[] = [];
  const keeps = plan.steps.length - plan.bringing;
  // Conflicts left (or held back) mean DIR lacks something: only without them is there nothing to bring.
  if (plan.steps.length === 0 && plan.conflicts.length === 0) out.push(c.bold('Nothing to bring: DIR has everything the other copy has.'));
  else if (plan.steps.length === 0) out.push(c.bold("Nothing can be brought in: what DIR lacks is listed below, each with why it stays out."));
  else out.push(c.bold(`Plan: ${plural(plan.bringing, 'step')} bringing rows or files in${keeps > 0 ? `, ${keeps} keeping the other copy's version of a conflict` : ''}`));
  for (const s of plan.steps) out.push(renderStep(s, c));
  if (plan.conflicts.length > 0) {
    out.push('', c.bold(`Conflicts: ${plan.conflicts.length} (never overwritten; both versions are kept)`));
    for (const k of plan.conflicts) out.push(`  ${c.yellow(k.path)}: ${k.what}${k.keptIn ? c.dim(` (the other copy's version is kept in ${k.keptIn})`) : ''}${k.left ? c.red(` (left: ${k.left})`) : ''}`);
  }
  for (const u of plan.liveUnits) out.push(c.yellow(`Live, not touched: ${u.unit}: ${u.reasons.join('; ')} (--force overrides)`));
  return out.join('\n');
}

function renderMerged(journal: Journal, how: 'applied' | 'resumed', c: Style): string {
  const bytes = journal.files.reduce((n, f) => n + f.size, 0);
  const out = ['', `Backup: ${journal.backupDir} (${plural(journal.files.length, 'file')}, ${formatBytes(bytes)}, each verified by SHA-256)`, how === 'resumed' ? 'Finished:' : 'Merged:'];
  for (const op of journal.ops) {
    if (op.state !== 'done') continue;
    const step = journal.steps.find((s) => op.steps.includes(s.id));
    if (op.kind === 'keep-theirs') out.push(`  ${c.yellow('kept')}     ${op.quarantine}`);
    else if (op.kind === 'merge-database' && !op.temp) out.push(`  ${c.yellow('kept')}     ${op.database?.rowsFile} (the other copy's differing rows of ${op.path})`);
    else if (op.kind === 'merge-database') {
      const rows = Object.entries(op.merge?.bring ?? {}).filter(([, ids]) => ids.length > 0).map(([t, ids]) => `${ids.length} ${t}`);
      const n = Object.values(op.merge?.bring ?? {}).reduce((k, ids) => k + ids.length, 0);
      out.push(`  ${c.green('brought')}  ${op.path}: ${op.merge?.whole ? 'the whole project' : `${rows.join(', ')} ${n === 1 ? 'row' : 'rows'} inserted`}${op.database?.rowsFile ? `; the other copy's differing rows kept in ${op.database.rowsFile}` : ''}`);
    } else if (op.kind === 'merge-files') out.push(`  ${c.green('brought')}  ${op.path}/: ${plural(op.copies?.length ?? 0, 'file')}`);
    else out.push(`  ${c.green('brought')}  ${op.path}${step?.action === 'merge-rows' ? `: ${step.description}` : ''}`);
  }
  return out.join('\n');
}

function renderAfter(after: MergePlanned, c: Style): string {
  if (after.bringing > 0) return c.red(`\nStill to bring: ${plural(after.bringing, 'step')} (trackio-fsck merge -n shows them)`);
  if (after.conflicts.length > 0) return `\n${c.yellow(`${plural(after.conflicts.length, 'conflict')} left`)}: both versions kept (the other copy's in quarantine); nothing else to bring`;
  return `\n${c.green('Nothing left to bring')}: DIR has everything the other copy has`;
}

function jsonDoc(o: MergeOutcome) {
  const plan = 'plan' in o ? o.plan : undefined;
  const journal = 'journal' in o ? o.journal : undefined;
  const after = 'after' in o ? o.after : undefined;
  const stepsOf = (p: MergePlanned) => p.steps.map(({ findings: _f, edits, ...s }) => ({ ...s, edits: edits.map(({ text: _t, ...e }) => e) }));
  return {
    tool: 'trackio-fsck',
    command: 'merge',
    mode: o.mode,
    outcome: o.kind,
    dir: o.dir,
    source: o.source,
    plan: plan ? { layout: plan.layout, steps: stepsOf(plan), conflicts: plan.conflicts, liveUnits: plan.liveUnits, bringing: plan.bringing } : undefined,
    merge: journal ? { id: journal.id, status: journal.status, backupDir: journal.backupDir, quarantineDir: journal.quarantineDir, ops: journal.ops.map(({ edits: _e, ...op }) => op) } : undefined,
    after: after ? { steps: stepsOf(after), conflicts: after.conflicts, bringing: after.bringing } : undefined,
    exitCode: o.exitCode,
  };
}
