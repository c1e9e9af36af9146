import { printProblems } from '../render/printProblems.js';
import { commandLine } from '../../engine/commandLine.js';
import { DEFAULT_LIVE_WINDOW_MS } from '../../engine/defaults.js';
import { cliContext } from '../cliContext.js';
import type { ArgsOf } from '../options.js';
import { showProgress } from '../render/showProgress.js';
import { renderFindings, renderSummaryLine } from '../render/renderFindings.js';
import { printJson, runCommand } from '../runCommand.js';
import { makeStyle } from '../style.js';

export type CheckArgs = ArgsOf<'check'>;

/** The options of check that repair must be given too, to look at the same runs the same way. */
export function sameRunsOptions(args: { run?: string[]; 'live-window': number }): string[] {
  const out: string[] = [];
  for (const id of args.run ?? []) out.push('--run', id);
  if (args['live-window'] * 1000 !== DEFAULT_LIVE_WINDOW_MS) out.push('--live-window', String(args['live-window']));
  return out;
}

export const checkHandler = (args: CheckArgs) =>
  runCommand(async () => {
    // Loaded here, not at start-up: --help and --version stay fast.
    const { check } = await import('../../engine/check.js');
    const { report, trusted } = await showProgress(!args.json && !cliContext.quiet, (progress) =>
      check(args.dir, { runs: args.run, strict: args.strict, liveWindowMs: args['live-window'] * 1000, full: args.full, fast: args.fast, keepFiles: false, keepDirs: false }, (e) => {
        if (e.type === 'start') progress?.start(e.bytes, e.files);
        else if (e.type === 'file') progress?.advance(e.bytes);
      }),
    );
    if (args.json) {
      printJson(report);
      return report.exitCode;
    }
    const c = makeStyle(process.stdout, args.color);
    if (cliContext.quiet) {
      printProblems(report.findings, c);
      return report.exitCode;
    }
    const body = renderFindings(report.findings, c, args.verbose);
    process.stdout.write(`${c.bold('trackio-fsck')} ${report.dataDir} (${report.layout} layout)\n\n`);
    if (body) process.stdout.write(body + '\n\n');
    process.stdout.write(renderSummaryLine(report, c) + '\n');
    if (args.fast) process.stdout.write(c.dim(`--fast: ${trusted ?? 0} files unchanged since the manifest (size, mtime, inode), not read\n`));
    if (report.exitCode !== 0) {
      const same = sameRunsOptions(args);
      process.stdout.write(c.dim(`To mend: ${commandLine('repair', '--dry-run', ...same, args.dir)}, then ${commandLine('repair', ...same, args.dir)}\n`));
    }
    return report.exitCode;
  });
