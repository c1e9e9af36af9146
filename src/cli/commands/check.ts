import type { Argv, CommandModule } from 'yargs';
import { DEFAULT_LIVE_WINDOW_MS } from '../../engine/defaults.js';
import { ProgressBar } from '../render/ProgressBar.js';
import { renderFindings, renderSummaryLine } from '../render/renderFindings.js';
import { printJson, runCommand } from '../runCommand.js';
import { makeStyle } from '../style.js';

export interface CheckArgs {
  dir?: string;
  json: boolean;
  run?: string[];
  strict: boolean;
  'live-window': number;
  verbose: boolean;
  full: boolean;
  color?: boolean;
  fast?: boolean;
}

export function checkOptions<T>(y: Argv<T>) {
  return y
    .positional('dir', { type: 'string', describe: 'data dir (holds runs/) or a folder holding .trackio/' })
    .option('run', { type: 'string', array: true, describe: 'check only this run (repeatable)' })
    .option('strict', { type: 'boolean', default: false, describe: 'warnings count as errors for the exit code' })
    .option('live-window', {
      type: 'number',
      default: DEFAULT_LIVE_WINDOW_MS / 1000,
      describe: 'seconds: a run without summary.json changed this recently is live (0: off)',
    })
    .check((argv) => {
      const w = argv['live-window'];
      if (typeof w !== 'number' || !Number.isFinite(w) || w < 0) throw new Error('--live-window takes a number of seconds >= 0');
      return true;
    })
    .option('verbose', { alias: 'v', type: 'boolean', default: false, describe: 'also list info findings' })
    .option('full', { type: 'boolean', default: false, describe: 'SQLite databases: PRAGMA integrity_check instead of quick_check (slower, also checks indexes)' })
    .option('fast', { type: 'boolean', default: false, describe: "skip files whose size, mtime and inode match the manifest's record (git-index style)" });
}

export const checkCommand: CommandModule<object, CheckArgs> = {
  command: ['check [dir]', '$0 [dir]'],
  describe: 'check every file of every run (read-only)',
  builder: (y) => checkOptions(y) as unknown as Argv<CheckArgs>,
  handler: (args) =>
    runCommand(async () => {
      // Loaded here, not at start-up: --help and --version stay fast.
      const { check } = await import('../../engine/check.js');
      const progress = args.json ? undefined : new ProgressBar();
      // Records and listings are a manifest's business: check keeps neither, so its memory stays flat.
      const { report, trusted } = await check(args.dir, { runs: args.run, strict: args.strict, liveWindowMs: args['live-window'] * 1000, full: args.full, fast: args.fast, keepFiles: false, keepDirs: false }, (e) => {
        if (e.type === 'start') progress?.start(e.bytes, e.files);
        else if (e.type === 'file') progress?.advance(e.bytes);
      });
      progress?.stop();
      if (args.json) {
        printJson(report);
      } else {
        const c = makeStyle(process.stdout, args.color);
        const body = renderFindings(report.findings, c, args.verbose);
        process.stdout.write(`${c.bold('trackio-fsck')} ${report.dataDir} (${report.layout} layout)\n\n`);
        if (body) process.stdout.write(body + '\n\n');
        process.stdout.write(renderSummaryLine(report, c) + '\n');
        if (args.fast) process.stdout.write(c.dim(`--fast: ${trusted ?? 0} files unchanged since the manifest (size, mtime, inode), not read\n`));
        if (report.exitCode !== 0) process.stdout.write(c.dim('To mend: trackio-fsck repair --dry-run, then trackio-fsck repair\n'));
      }
      return report.exitCode;
    }),
};
