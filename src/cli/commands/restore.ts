import { createInterface } from 'node:readline/promises';
import type { ArgsOf } from '../options.js';
import { FsckError } from '../../engine/errors.js';
import { EXIT } from '../../engine/report.js';
import { formatBytes, plural } from '../render/formatBytes.js';
import { printJson, runCommand } from '../runCommand.js';
import { makeStyle } from '../style.js';
import { cliContext } from '../cliContext.js';
import { showProgress } from '../render/showProgress.js';

export type RestoreArgs = ArgsOf<'restore'>;

async function ask(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}

export const restoreHandler = (args: RestoreArgs) =>
    runCommand(async () => {
      const { planRestore, applyRestore } = await import('../../engine/backup/restore.js');
      const c = makeStyle(process.stdout, args.color);
      if (args.run !== undefined) {
        // One run: nothing else changes and the old version is kept, so no question is asked.
        if (args.run.length !== 1) throw new FsckError('restore --run takes one run (or project)', EXIT.usage);
        const { restoreRun } = await import('../../engine/backup/restoreRun.js');
        const r = await restoreRun(args.snapshot, args.dir, args.run[0]!, { dest: args.dest, force: args.force, liveWindowMs: args['live-window'] * 1000 });
        if (args.json) printJson(r);
        else if (!cliContext.quiet) {
          const out = [`${c.bold('restored')} ${r.run} from ${r.snapshot} into ${r.dataDir}`, `${plural(r.files, 'file')}, ${formatBytes(r.bytes)}, every one verified against the snapshot's manifest`];
          out.push(r.aside ? `the previous version is in ${r.aside}` : 'there was no previous version');
          process.stdout.write(out.join('\n') + '\n');
        }
        return r.exitCode;
      }
      // Verifying the snapshot reads all of it: a progress bar while it does (bytes, rate).
      const plan = await showProgress(!args.json && !cliContext.quiet, () => planRestore(args.snapshot, args.dir, { dest: args.dest }));
      const v = plan.verification;
      if (!v.ok) {
        if (args.json) {
          const { TOOL, VERSION } = await import('../../engine/version.js');
          printJson({ tool: TOOL, version: VERSION, command: 'restore', snapshot: plan.snapshot.name, dataDir: plan.dataDir, aside: null, verification: v, exitCode: EXIT.uncorrected });
        } else {
          process.stderr.write(`trackio-fsck: snapshot ${plan.snapshot.name} does not verify against its manifest, so it is not restored; nothing was changed:\n`);
          for (const f of v.findings.filter((x) => x.severity === 'error')) process.stderr.write(`  ${f.code}  ${f.path}\n    ${f.message}\n`);
        }
        return EXIT.uncorrected;
      }
      if (plan.openFiles.length > 0 && !args.force) {
        const pids = [...new Set(plan.openFiles.flatMap((o) => o.pids))].join(', ');
        throw new FsckError(
          `other processes (pid ${pids}) hold ${plural(plan.openFiles.length, 'file')} of ${plan.dataDir} open, e.g. ${plan.openFiles[0]!.path}.\nStop them (the dashboard, a training run) and retry, or use --force. Nothing was changed.`,
          EXIT.operational,
        );
      }
      const what = [
        `restore ${plan.snapshot.name} (${plural(v.files, 'file')}, ${formatBytes(v.bytes)}, verified just now)`,
        `   into ${plan.dataDir}`,
        plan.aside ? `the current data will be moved to ${plan.aside} (not deleted)` : 'there is no current data there',
        ...(v.lacks ? [`WARNING: this snapshot is partial: it lacks ${plural(v.lacks.count, 'path')} the backup could not read (${v.lacks.paths.slice(0, 5).join(', ')}${v.lacks.count > 5 ? ', ...' : ''})`] : []),
        ...plan.leftovers.map((l) => `first, a leftover of a killed restore: ${l.message}`),
      ].join('\n');
      if (!args.yes) {
        if (!process.stdin.isTTY || !process.stderr.isTTY) {
          throw new FsckError(`${what}\nnot a terminal, so not asking: run again with --yes to restore. Nothing was changed.`, EXIT.usage);
        }
        process.stderr.write(what + '\n');
        if (!(await ask('Restore? [y/N] '))) {
          process.stderr.write('cancelled; nothing was changed\n');
          return EXIT.cancelled;
        }
      }
      const result = await showProgress(!args.json && !cliContext.quiet, () => applyRestore(plan, { force: args.force }));
      if (args.json) {
        printJson(result);
        return result.exitCode;
      }
      if (cliContext.quiet) return result.exitCode;
      const out = [
        `${c.bold('restored')} ${result.snapshot} into ${result.dataDir}`,
        `${plural(result.files, 'file')}, ${formatBytes(result.bytes)}, every one verified against the manifest${result.symlinks ? `, ${plural(result.symlinks, 'symlink')}` : ''}`,
        result.aside ? `the previous data is in ${result.aside}` : 'there was no previous data',
        ...result.leftovers.map((m) => `leftover of a killed restore: ${m}`),
      ];
      if (result.lacks) {
        out.push(c.yellow(`PARTIAL: ${result.snapshot} lacks ${plural(result.lacks.count, 'path')} the backup could not read, so the restored data lacks ${result.lacks.count === 1 ? 'it' : 'them'} too:`));
        for (const p of result.lacks.paths.slice(0, 20)) out.push(`  ${p}`);
        if (result.lacks.count > 20) out.push(`  ... and ${result.lacks.count - 20} more (see .trackio-fsck-snapshot.json)`);
      }
      process.stdout.write(out.join('\n') + '\n');
      return result.exitCode;
    });
