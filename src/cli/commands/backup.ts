import type { Argv, CommandModule } from 'yargs';
import { formatBytes, plural } from '../render/formatBytes.js';
import { ProgressBar } from '../render/ProgressBar.js';
import { renderFindings } from '../render/renderFindings.js';
import { printJson, runCommand } from '../runCommand.js';
import { makeStyle } from '../style.js';

export interface BackupArgs {
  dir?: string;
  dest?: string;
  keep?: number;
  force?: boolean;
  json: boolean;
  color?: boolean;
}

export const backupCommand: CommandModule<object, BackupArgs> = {
  command: 'backup [dir]',
  describe: 'snapshot the data dir into BACKUPS/trackio_backup_YYYYMMDD_HHMMSS (UTC), verified, unchanged files hard-linked',
  builder: (y) =>
    y
      .positional('dir', { type: 'string', describe: 'data dir (holds runs/) or a folder holding .trackio/' })
      .option('dest', { type: 'string', describe: 'BACKUPS: the folder holding snapshots (default ./trackio_backups)' })
      .option('keep', { type: 'number', describe: 'after a successful backup, keep only the N newest snapshots (backups prune --keep N)' })
      .option('force', { type: 'boolean', describe: 'snapshot even while a repair holds the data dir' }) as unknown as Argv<BackupArgs>,
  handler: (args) =>
    runCommand(async () => {
      const { backup } = await import('../../engine/backup/backup.js');
      const progress = args.json ? undefined : new ProgressBar();
      const result = await backup(args.dir, { dest: args.dest, keep: args.keep, force: args.force }, (e) => {
        if (e.type === 'start') progress?.start(e.bytes, e.files);
        else if (e.type === 'file') progress?.advance(e.bytes);
      });
      progress?.stop();
      if (args.json) {
        printJson(result);
        return result.exitCode;
      }
      const c = makeStyle(process.stdout, args.color);
      const s = result.summary;
      const out: string[] = [];
      out.push(`${c.bold('backup')} ${result.dataDir}`);
      out.push(`    -> ${result.snapshot.path}`);
      const linked = s.linked > 0 ? `, ${s.linked} unchanged hard-linked from ${result.linkedFrom} (${formatBytes(s.linkedBytes)})` : '';
      const links = s.symlinks > 0 ? `, ${plural(s.symlinks, 'symlink')}` : '';
      out.push(`${plural(s.files, 'file')}, ${formatBytes(s.bytes)}: ${s.copied} copied (${formatBytes(s.copiedBytes)})${linked}${links} in ${(s.durationMs / 1000).toFixed(2)} s`);
      const proof = s.linked > 0 ? 'copies read back and matched, linked files hashed before linking' : 'every copy read back and matched';
      out.push(`${proof}; manifest: ${result.snapshot.name}/manifest-sha256.txt`);
      if (result.lacks) {
        const shown = result.lacks.paths.slice(0, 5).join(', ');
        out.push(c.yellow(`PARTIAL: ${plural(result.lacks.count, 'path')} of the data dir could not be read and ${result.lacks.count === 1 ? 'is' : 'are'} not in this snapshot (${shown}${result.lacks.count > 5 ? ', ...' : ''}); it is marked partial, and restore will say so`));
      }
      const body = renderFindings(result.findings, c, true);
      if (body) out.push('', body);
      if (result.pruned) {
        out.push('');
        if (result.pruned.removed.length === 0) out.push(`prune --keep ${result.pruned.keep}: nothing to remove`);
        for (const r of result.pruned.removed) out.push(`removed ${r.name} (${r.reason})`);
      }
      process.stdout.write(out.join('\n') + '\n');
      return result.exitCode;
    }),
};
