import { realpath } from 'node:fs/promises';
import type { PlanStep, RepairPlan } from '../../engine/repair/RepairPlan.js';
import type { RepairMode } from '../../engine/repair/repair.js';
import type { Journal } from '../../engine/repair/Journal.js';
import type { Verification } from '../../engine/repair/verifyRepair.js';
import { formatBytes, plural } from '../render/formatBytes.js';
import { renderFindings } from '../render/renderFindings.js';
import { printJson, runCommand } from '../runCommand.js';
import { makeStyle } from '../style.js';
import { cliContext } from '../cliContext.js';
import type { ArgsOf } from '../options.js';

/** repair's arguments (recover passes its own, with the mode set). */
export type RepairArgs = ArgsOf<'repair'>;

type Mode = RepairMode;

function modeOf(args: RepairArgs): Mode {
  if (args['dry-run']) return 'dry-run';
  if (args.preen) return 'preen';
  if (args.yes) return 'yes';
  // Questions need a person at a terminal; --json output is for scripts, which cannot answer.
  return process.stdin.isTTY && !args.json ? 'ask' : 'none';
}

export const repairHandler = (args: RepairArgs) => runCommand(() => runRepair(args, modeOf(args), 'repair'), { writes: 'nothing was changed' });

/**
 * The repair session (src/engine/repair/repair.ts) shown on a terminal, shared with recover: this
 * file only prints what the engine reports and answers its questions.
 */
export async function runRepair(args: RepairArgs, mode: Mode, name: 'repair' | 'recover'): Promise<number> {
  // Loaded here, not at start-up: --help and --version stay fast.
  const [{ findDataDir }, { repair }, { renderApplied, renderPlan, renderStep }, { askChoice }] = await Promise.all([
    import('../../engine/layouts/findDataDir.js'),
    import('../../engine/repair/repair.js'),
    import('../render/renderPlan.js'),
    import('../prompt/chooseSteps.js'),
  ]);
  const c = makeStyle(process.stdout, args.color);
  // --quiet: only what is still wrong after the repair (the second check's problems) is printed.
  const say = (text = '') => {
    if (!args.json && !cliContext.quiet) process.stdout.write(text + '\n');
  };
  const dataDir = await realpath(findDataDir(args.dir).dataDir);
  const command = [name, name === 'recover' ? '' : mode === 'yes' ? '-y' : mode === 'preen' ? '-p' : '', args.force ? '--force' : ''].filter(Boolean).join(' ');
  say(`${c.bold(`trackio-fsck ${name}`)} ${dataDir}`);

  const outcome = await repair(dataDir, {
    mode,
    command,
    runs: args.run,
    liveWindowMs: args['live-window'] * 1000,
    force: args.force,
    backupDir: args['backup-dir'],
    backups: args.backups,
    onEvent: (e) => {
      if (e.type === 'lock-replaced') say(c.yellow(`note: took over the lock of ${e.owner.command} (pid ${e.owner.pid} on ${e.owner.host}), which is no longer running`));
      else if (e.type === 'interrupted') {
        const j = e.journal;
        say(c.yellow(`\nRepair ${j.id} (${j.command}) was interrupted while ${j.status === 'undoing' ? 'undoing' : j.status === 'backing-up' ? 'backing up' : 'applying'}.`));
      } else if (e.type === 'plan') {
        const { plan } = e;
        say(`${plan.check.summary.runs} runs, ${plan.check.summary.files} files checked: ${plural(plan.check.summary.errors, 'error')}, ${plural(plan.check.summary.warnings, 'warning')}\n`);
        say(renderPlan(plan.steps, plan.left, c));
        if (plan.liveRuns.length > 0 && !args.force) {
          say(c.yellow(`\nLive ${plan.liveRuns.length === 1 ? 'run' : 'runs'} not touched: ${plan.liveRuns.join(', ')} (--force overrides)`));
          for (const run of plan.liveRuns) say(c.yellow(`  ${run}: ${plan.liveWhy?.[run] ?? 'a writer is using it'}`));
        }
      }
    },
    choose: (choice) => askChoice(choice, { finish: 'Finish it (the fixes chosen then)?', noun: 'Fix' }, (s: PlanStep) => renderStep(s, c), say),
  });

  switch (outcome.kind) {
    case 'undo-pending':
      say(`Finish the undo first: trackio-fsck undo ${dataDir}`);
      if (args.json) printJson({ command: name, dataDir, interrupted: outcome.journal.id, status: outcome.journal.status, exitCode: outcome.exitCode });
      return outcome.exitCode;
    case 'interrupted':
      say(`Nothing was changed. To finish it: trackio-fsck repair -y ${dataDir}   To go back: trackio-fsck undo ${dataDir}`);
      if (args.json) printJson({ command: name, dataDir, interrupted: outcome.journal.id, status: outcome.journal.status, exitCode: outcome.exitCode });
      return outcome.exitCode;
    case 'cancelled':
      say('Cancelled: nothing was changed.');
      if (args.json && outcome.plan) printJson(jsonDoc(name, mode, outcome.plan, [], undefined, undefined, outcome.exitCode));
      return outcome.exitCode;
    case 'planned':
      if (outcome.plan.steps.length > 0 && mode === 'dry-run') say(`\nDry run: nothing was changed. To apply: trackio-fsck repair -p ${dataDir} (safe fixes only) or -y (all fixes)`);
      if (outcome.plan.steps.length > 0 && mode === 'none') say(`\nNothing was changed: no terminal to ask on. Run trackio-fsck repair -p ${dataDir} (safe fixes only), -y (all fixes), or -n to only look`);
      if (args.json) printJson(jsonDoc(name, mode, outcome.plan, [], undefined, undefined, outcome.exitCode));
      return outcome.exitCode;
    case 'nothing-chosen':
      say(`\nNo fix chosen: nothing was changed.${mode === 'preen' ? ` The fixes left need a decision: trackio-fsck repair -y ${dataDir}, or trackio-fsck repair on a terminal to choose one by one` : ''}`);
      if (args.json) printJson(jsonDoc(name, mode, outcome.plan, [], undefined, undefined, outcome.exitCode));
      return outcome.exitCode;
    case 'resumed':
      say(`Resumed and finished repair ${outcome.journal?.id ?? ''}. Backup: ${outcome.journal?.backupDir}`);
      return finish(outcome.journal, undefined, outcome.verification, 'resumed');
    case 'applied':
      return finish(outcome.journal, outcome.plan, outcome.verification, 'applied');
  }

  function finish(journal: Journal | undefined, plan: RepairPlan | undefined, verification: Verification, how: string): number {
    if (journal) {
      const bytes = journal.files.reduce((n, f) => n + f.size, 0);
      say(`\nBackup: ${journal.backupDir} (${plural(journal.files.length, 'file')}, ${formatBytes(bytes)}, each verified by SHA-256)`);
      say(`${how === 'resumed' ? 'Finished' : 'Applied'}:`);
      say(renderApplied(journal, c));
    }
    if (cliContext.quiet && !args.json && verification.remaining.length > 0) process.stdout.write(renderFindings(verification.remaining, c, true) + '\n');
    say(renderVerification(verification, name, dataDir, c));
    if (journal) say(c.dim(`To go back to the exact bytes from before: trackio-fsck undo ${dataDir}`));
    if (args.json) printJson(jsonDoc(name, mode, plan, journal?.selected ?? [], journal, verification, verification.exitCode));
    return verification.exitCode;
  }
}

function renderVerification(v: Verification, name: string, dataDir: string, c: ReturnType<typeof makeStyle>): string {
  const out = ['', c.bold('Second check:')];
  if (v.remaining.length === 0) out.push(`  ${c.green('clean')}: ${plural(v.report.summary.errors, 'error')}, nothing left to mend`);
  else {
    out.push(`  ${plural(v.remaining.length, 'problem')} left:`);
    out.push(renderFindings(v.remaining, c, true));
    const next = name === 'recover' ? `trackio-fsck repair ${dataDir} (asks fix by fix) or trackio-fsck repair -y ${dataDir}` : `trackio-fsck repair -y ${dataDir}`;
    if (v.remaining.some((f) => f.fix && f.fix.action !== 'none')) out.push(c.dim(`  To mend the rest: ${next}`));
  }
  if (v.unmended.length > 0) out.push(c.red(`  repair did not mend ${plural(v.unmended.length, 'problem')} it set out to mend: please report this`));
  return out.join('\n');
}

function jsonDoc(name: string, mode: Mode, plan: RepairPlan | undefined, applied: number[], journal: Journal | undefined, v: Verification | undefined, exitCode: number) {
  return {
    tool: 'trackio-fsck',
    command: name,
    mode,
    dataDir: plan?.dataDir ?? journal?.dataDir,
    plan: plan ? { steps: plan.steps, left: plan.left, liveRuns: plan.liveRuns } : undefined,
    applied,
    repair: journal ? { id: journal.id, backupDir: journal.backupDir, quarantineDir: journal.quarantineDir, status: journal.status, ops: journal.ops.map(({ edits: _e, ...op }) => op) } : undefined,
    recheck: v ? { summary: v.report.summary, remaining: v.remaining, unmended: v.unmended } : undefined,
    exitCode,
  };
}
