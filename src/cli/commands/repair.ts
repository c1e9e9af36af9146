import { realpath } from 'node:fs/promises';
import { resolve } from 'node:path';
import { DEFAULT_BACKUPS_DIR } from '../../engine/backup/snapshotLayout.js';
import type { Argv, CommandModule } from 'yargs';
import { DEFAULT_LIVE_WINDOW_MS } from '../../engine/defaults.js';
import { EXIT } from '../../engine/report.js';
import type { PlanStep, RepairPlan } from '../../engine/repair/RepairPlan.js';
import type { Journal } from '../../engine/repair/Journal.js';
import type { Verification } from '../../engine/repair/verifyRepair.js';
import { formatBytes, plural } from '../render/formatBytes.js';
import { renderFindings } from '../render/renderFindings.js';
import { printJson, runCommand } from '../runCommand.js';
import { makeStyle } from '../style.js';

export interface RepairArgs {
  dir?: string;
  'dry-run'?: boolean;
  preen?: boolean;
  yes?: boolean;
  force: boolean;
  'backup-dir'?: string;
  backups?: string;
  run?: string[];
  'live-window': number;
  json: boolean;
  color?: boolean;
}

export function repairOptions<T>(y: Argv<T>, modes = true) {
  let a = y
    .positional('dir', { type: 'string', describe: 'data dir (holds runs/) or a folder holding .trackio/' })
    .option('force', { type: 'boolean', default: false, describe: 'also repair live runs, and take the lock from another repair' })
    .option('backup-dir', { type: 'string', describe: 'where the pre-repair backup goes (default DIR/.trackio-fsck/repairs/<id>/)' })
    .option('backups', { type: 'string', describe: 'BACKUPS: snapshots to heal from (restore-from-backup, when the manifest vouches for a copy; default ./trackio_backups, as backup --dest)' })
    .option('run', { type: 'string', array: true, describe: 'repair only this run (repeatable)' })
    .option('live-window', { type: 'number', default: DEFAULT_LIVE_WINDOW_MS / 1000, describe: 'seconds: a run without summary.json changed this recently is live (0: off)' });
  if (modes) {
    a = a
      .option('dry-run', { alias: 'n', type: 'boolean', describe: 'show the plan, change nothing (exit 4 when there is something to mend)' })
      .option('preen', { alias: 'p', type: 'boolean', describe: 'apply only the fixes that lose no information' })
      .option('yes', { alias: 'y', type: 'boolean', describe: 'apply every fix without asking' })
      .conflicts('dry-run', ['preen', 'yes'])
      .conflicts('preen', 'yes');
  }
  return a;
}

type Mode = 'dry-run' | 'preen' | 'yes' | 'ask' | 'none';

function modeOf(args: RepairArgs): Mode {
  if (args['dry-run']) return 'dry-run';
  if (args.preen) return 'preen';
  if (args.yes) return 'yes';
  // Questions need a person at a terminal; --json output is for scripts, which cannot answer.
  return process.stdin.isTTY && !args.json ? 'ask' : 'none';
}

export const repairCommand: CommandModule<object, RepairArgs> = {
  command: 'repair [dir]',
  describe: 'mend what check found, after a verified backup (-n: dry run, -p: safe fixes, -y: all)',
  builder: (y) => repairOptions(y) as unknown as Argv<RepairArgs>,
  handler: (args) => runCommand(() => runRepair(args, modeOf(args), 'repair'), { writes: 'nothing was changed' }),
};

/**
 * The repair session, shared with recover: finish an interrupted repair first; else check, plan,
 * show the plan, choose (by mode), back up and apply, check again, and say what happened.
 */
export async function runRepair(args: RepairArgs, mode: Mode, name: 'repair' | 'recover'): Promise<number> {
  // Loaded here, not at start-up: --help and --version stay fast.
  const [{ findDataDir }, repair, { renderApplied, renderPlan, renderStep }, { LineAsker }, { chooseSteps }] = await Promise.all([
    import('../../engine/layouts/findDataDir.js'),
    import('../../engine/repair/index.js'),
    import('../render/renderPlan.js'),
    import('../prompt/askLine.js'),
    import('../prompt/chooseSteps.js'),
  ]);
  const c = makeStyle(process.stdout, args.color);
  const say = (text = '') => {
    if (!args.json) process.stdout.write(text + '\n');
  };
  const dataDir = await realpath(findDataDir(args.dir).dataDir);
  const checkOptions = { runs: args.run, liveWindowMs: args.force ? 0 : args['live-window'] * 1000 };
  const command = [name, name === 'recover' ? '' : mode === 'yes' ? '-y' : mode === 'preen' ? '-p' : '', args.force ? '--force' : ''].filter(Boolean).join(' ');
  const applyOptions = {
    command,
    force: args.force,
    backupDir: args['backup-dir'],
    onEvent: (e: import('../../engine/repair/applyRepair.js').RepairEvent) => {
      if (e.type === 'lock-replaced') say(c.yellow(`note: took over the lock of ${e.owner.command} (pid ${e.owner.pid} on ${e.owner.host}), which is no longer running`));
    },
  };
  say(`${c.bold(`trackio-fsck ${name}`)} ${dataDir}`);

  const unfinished = await repair.unfinishedJournal(dataDir);
  if (unfinished) {
    say(c.yellow(`\nRepair ${unfinished.id} (${unfinished.command}) was interrupted while ${unfinished.status === 'undoing' ? 'undoing' : unfinished.status === 'backing-up' ? 'backing up' : 'applying'}.`));
    if (unfinished.status === 'undoing') {
      say(`Finish the undo first: trackio-fsck undo ${dataDir}`);
      if (args.json) printJson({ command: name, dataDir, interrupted: unfinished.id, status: unfinished.status, exitCode: EXIT.uncorrected });
      return EXIT.uncorrected;
    }
    if (mode === 'dry-run' || mode === 'none') {
      say(`Nothing was changed. To finish it: trackio-fsck repair -y ${dataDir}   To go back: trackio-fsck undo ${dataDir}`);
      if (args.json) printJson({ command: name, dataDir, interrupted: unfinished.id, status: unfinished.status, exitCode: EXIT.uncorrected });
      return EXIT.uncorrected;
    }
    if (mode === 'ask') {
      const asker = new LineAsker();
      const answer = await chooseSteps([{ id: 1 }], () => asker.ask('Finish it (the fixes chosen then)? [y]es [n]o [q]uit: '));
      asker.close();
      if (answer === 'cancel' || answer.length === 0) {
        say('Cancelled: nothing was changed.');
        return EXIT.cancelled;
      }
    }
    const outcome = await repair.resumeRepair(dataDir, applyOptions);
    say(`Resumed and finished repair ${unfinished.id}. Backup: ${outcome?.journal.backupDir}`);
    return finish(outcome?.journal, undefined, 'resumed');
  }

  const backupsDir = resolve(args.backups ?? DEFAULT_BACKUPS_DIR);
  const plan = await repair.planRepair(dataDir, { ...checkOptions, force: args.force, providers: [repair.restoreFromBackup(backupsDir)] });
  say(`${plan.check.summary.runs} runs, ${plan.check.summary.files} files checked: ${plural(plan.check.summary.errors, 'error')}, ${plural(plan.check.summary.warnings, 'warning')}\n`);
  say(renderPlan(plan.steps, plan.left, c));
  if (plan.liveRuns.length > 0 && !args.force) say(c.yellow(`\nLive ${plan.liveRuns.length === 1 ? 'run' : 'runs'} not touched: ${plan.liveRuns.join(', ')} (a writer is using ${plan.liveRuns.length === 1 ? 'it' : 'them'}; --force overrides)`));
  const problems = plan.check.findings.filter(repair.isProblem).length;

  if (mode === 'dry-run' || mode === 'none' || plan.steps.length === 0) {
    const exitCode = problems > 0 ? EXIT.uncorrected : EXIT.clean;
    if (plan.steps.length > 0 && mode === 'dry-run') say(`\nDry run: nothing was changed. To apply: trackio-fsck repair -p ${dataDir} (safe fixes only) or -y (all fixes)`);
    if (plan.steps.length > 0 && mode === 'none') say(`\nNothing was changed: no terminal to ask on. Run trackio-fsck repair -p ${dataDir} (safe fixes only), -y (all fixes), or -n to only look`);
    if (args.json) printJson(jsonDoc(name, mode, plan, [], undefined, undefined, exitCode));
    return exitCode;
  }

  let selected: number[];
  if (mode === 'preen') selected = plan.steps.filter((s) => s.safe).map((s) => s.id);
  else if (mode === 'yes') selected = plan.steps.map((s) => s.id);
  else {
    say('');
    const asker = new LineAsker();
    const answer = await chooseSteps(plan.steps, (s: PlanStep, i, n) => asker.ask(`${renderStep(s, c)}\n  Fix ${i + 1}/${n}? [y]es [n]o [a]ll [q]uit: `));
    asker.close();
    if (answer === 'cancel') {
      say('Cancelled: nothing was changed.');
      if (args.json) printJson(jsonDoc(name, mode, plan, [], undefined, undefined, EXIT.cancelled));
      return EXIT.cancelled;
    }
    selected = answer;
  }
  if (selected.length === 0) {
    say(`\nNo fix chosen: nothing was changed.${mode === 'preen' ? ` The fixes left need a decision: trackio-fsck repair -y ${dataDir}, or trackio-fsck repair on a terminal to choose one by one` : ''}`);
    if (args.json) printJson(jsonDoc(name, mode, plan, [], undefined, undefined, EXIT.uncorrected));
    return EXIT.uncorrected;
  }
  const outcome = await repair.applyPlan(plan, selected, applyOptions);
  return finish(outcome?.journal, plan, 'applied');

  async function finish(journal: Journal | undefined, plan: RepairPlan | undefined, how: string): Promise<number> {
    const verification = await repair.verifyRepair(dataDir, journal, checkOptions);
    if (journal) {
      const bytes = journal.files.reduce((n, f) => n + f.size, 0);
      say(`\nBackup: ${journal.backupDir} (${plural(journal.files.length, 'file')}, ${formatBytes(bytes)}, each verified by SHA-256)`);
      say(`${how === 'resumed' ? 'Finished' : 'Applied'}:`);
      say(renderApplied(journal, c));
    }
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
