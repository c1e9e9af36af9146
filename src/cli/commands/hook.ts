import type { ArgsOf } from '../options.js';
import type { HookResult } from '../../engine/hook/runHook.js';
import { plural } from '../render/formatBytes.js';
import { printJson, runCommand } from '../runCommand.js';
import { commandLine } from '../../engine/commandLine.js';
import { cliContext } from '../cliContext.js';


/** Reads NUL-separated names (git diff -z) from a file or '-' for stdin. */
async function readFiles0(from: string): Promise<string[]> {
  const { readFile } = await import('node:fs/promises');
  // yargs hands a lone '-' over as ''.
  const text = from === '-' || from === '' ? await readStdin() : await readFile(from, 'utf8');
  return text.split('\0').filter((s) => s !== '');
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** One line per problem (path:line, severity, code, what, how to mend), then the verdict. */
function renderHook(result: HookResult): string {
  const lines: string[] = [];
  for (const d of result.checked) {
    const prefix = d.shown === '.' ? '' : `${d.shown}/`;
    for (const f of d.findings) {
      if (f.severity === 'info') continue;
      const where = `${prefix}${f.path}${f.line !== undefined ? `:${f.line}` : ''}`;
      const mend = f.fix ? `; mend: ${commandLine('repair', d.shown)}` : '';
      lines.push(`${where}: ${f.severity} ${f.code}: ${f.message}${mend}`);
    }
    if (!cliContext.quiet) for (const run of d.liveRuns) lines.push(`${prefix}runs/${run}: live (being written): not blocking`);
  }
  if (result.exitCode !== 0) {
    const dirs = result.checked.filter((d) => d.findings.some((f) => f.severity === 'error' || f.severity === 'warning'));
    const what = [result.errors > 0 ? plural(result.errors, 'error') : '', result.warnings > 0 ? plural(result.warnings, 'warning') : ''].filter(Boolean).join(', ');
    lines.push(`trackio-fsck: commit blocked (${what} in staged runs).`);
    lines.push(`  mend: ${dirs.map((d) => commandLine('repair', d.shown)).join('; ')} (preview with -n), then git add the mended files.`);
  }
  return lines.length ? lines.join('\n') + '\n' : '';
}

export const hookRunHandler = (args: ArgsOf<'hook run'>) =>
    runCommand(async () => {
      const { runHook } = await import('../../engine/hook/runHook.js');
      const files = [...(args.files ?? []), ...(args['files0-from'] !== undefined ? await readFiles0(args['files0-from']) : [])];
      const result = await runHook(files, { strict: args.strict, liveWindowMs: args['live-window'] * 1000 });
      if (args.json) {
        printJson({
          command: 'hook run',
          exitCode: result.exitCode,
          errors: result.errors,
          warnings: result.warnings,
          checked: result.checked,
          ignored: result.mapping.ignored.length,
          gone: result.mapping.gone,
        });
      } else {
        // stderr: git shows it in the terminal and pre-commit shows it under the hook's name.
        process.stderr.write(renderHook(result));
      }
      return result.exitCode;
    });

export const hookInstallHandler = (args: ArgsOf<'hook install'>) =>
    runCommand(async () => {
      const { installHook } = await import('../../engine/hook/installHook.js');
      const r = await installHook({ chain: args.chain, node: process.execPath, bin: process.argv[1] });
      if (args.json) printJson(r);
      else if (cliContext.quiet) return 0;
      else {
        process.stdout.write(`${r.action} ${r.hook}\n`);
        if (r.chained) process.stdout.write(`the previous hook is kept as ${r.chained} and runs first\n`);
      }
      const { backupsInsideRepo } = await import('../../engine/hook/backupsInsideRepo.js');
      const inside = backupsInsideRepo(process.cwd());
      if (inside) {
        const git = inside.ignored ? 'git ignores it' : '`git add .` would commit every snapshot';
        process.stderr.write(`warning: BACKUPS ${inside.backupsDir} lies inside this repository (${git}), on the same disk as the data: set TRACKIO_FSCK_BACKUPS to a folder outside it, ideally on another disk\n`);
      }
      return 0;
    });

export const hookUninstallHandler = (args: ArgsOf<'hook uninstall'>) =>
    runCommand(async () => {
      const { uninstallHook } = await import('../../engine/hook/installHook.js');
      const r = await uninstallHook();
      if (args.json) printJson(r);
      else if (cliContext.quiet) return 0;
      else if (r.action === 'removed') process.stdout.write(`removed ${r.hook}${r.restored ? ' and put the chained hook back in its place' : ''}\n`);
      else if (r.action === 'foreign') process.stdout.write(`${r.hook} was not written by trackio-fsck: left alone\n`);
      else process.stdout.write(`no trackio-fsck hook installed (${r.hook})\n`);
      return 0;
    });
