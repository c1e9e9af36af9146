import { createInterface } from 'node:readline/promises';
import type { Argv, CommandModule } from 'yargs';
import { FsckError } from '../../engine/errors.js';
import { EXIT } from '../../engine/report.js';
import { formatBytes, plural } from '../render/formatBytes.js';
import { printJson, runCommand } from '../runCommand.js';
import { makeStyle } from '../style.js';

export interface RestoreArgs {
  snapshot: string;
  dir?: string;
  dest?: string;
  yes: boolean;
  force: boolean;
  json: boolean;
  color?: boolean;
}

async function ask(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}

export const restoreCommand: CommandModule<object, RestoreArgs> = {
  command: 'restore <snapshot> [dir]',
  describe: 'verify a snapshot, move the current data aside (never deleted) and copy the snapshot in, verified',
  builder: (y) =>
    y
      .positional('snapshot', { type: 'string', demandOption: true, describe: 'snapshot name in BACKUPS, or its path' })
      .positional('dir', { type: 'string', describe: 'data dir to restore into (default: the one check would find)' })
      .option('dest', { type: 'string', describe: 'BACKUPS, where a snapshot name is looked up (default ./trackio_backups)' })
      .option('yes', { alias: 'y', type: 'boolean', default: false, describe: 'do not ask (for scripts)' })
      .option('force', { type: 'boolean', default: false, describe: 'restore even while other processes hold files of the data dir open' }) as unknown as Argv<RestoreArgs>,
  handler: (args) =>
    runCommand(async () => {
      const { planRestore, applyRestore } = await import('../../engine/backup/restore.js');
      const c = makeStyle(process.stdout, args.color);
      const plan = await planRestore(args.snapshot, args.dir, { dest: args.dest });
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
      const result = await applyRestore(plan, { force: args.force });
      if (args.json) {
        printJson(result);
        return result.exitCode;
      }
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
    }),
};
