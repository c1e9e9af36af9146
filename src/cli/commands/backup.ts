import { printProblems } from '../render/printProblems.js';
import type { ArgsOf } from '../options.js';
import { formatBytes, plural } from '../render/formatBytes.js';
import { showProgress } from '../render/showProgress.js';
import { renderFindings } from '../render/renderFindings.js';
import { printJson, runCommand } from '../runCommand.js';
import { describePolicy } from '../../engine/backup/retentionPolicy.js';
import { makeStyle } from '../style.js';
import { cliContext } from '../cliContext.js';

export type BackupArgs = ArgsOf<'backup'>;

export const backupHandler = (args: BackupArgs) =>
    runCommand(async () => {
      const { backup } = await import('../../engine/backup/backup.js');
      const result = await showProgress(!args.json && !cliContext.quiet, (progress) =>
        backup(args.dir, { dest: args.dest, keep: args.keep, retention: { daily: args['keep-daily'], weekly: args['keep-weekly'], monthly: args['keep-monthly'] }, force: args.force }, (e) => {
        if (e.type === 'start') progress?.start(e.bytes, e.files);
        else if (e.type === 'file') progress?.advance(e.bytes);
      }), { countReads: false }
      );
      if (args.json) {
        printJson(result);
        return result.exitCode;
      }
      const c = makeStyle(process.stdout, args.color);
      if (cliContext.quiet) {
        printProblems(result.findings, c, true);
        return result.exitCode;
      }
      const s = result.summary;
      const out: string[] = [];
      out.push(`${c.bold('backup')} ${result.dataDir}`);
      out.push(`    -> ${result.snapshot.path}`);
      const linked = s.linked > 0 ? `, ${s.linked} unchanged hard-linked from ${result.linkedFrom} (${formatBytes(s.linkedBytes)})` : '';
      const links = s.symlinks > 0 ? `, ${plural(s.symlinks, 'symlink')}` : '';
      out.push(`${plural(s.files, 'file')}, ${formatBytes(s.bytes)}: ${s.copied} copied (${formatBytes(s.copiedBytes)})${linked}${links} in ${(s.durationMs / 1000).toFixed(2)} s`);
      const proof = s.linked > 0 ? 'copies read back and matched; linked files unchanged since the previous snapshot (backups verify re-reads them)' : 'every copy read back and matched';
      out.push(`${proof}; manifest: ${result.snapshot.name}/manifest-sha256.txt`);
      if (result.lacks) {
        const shown = result.lacks.paths.slice(0, 5).join(', ');
        out.push(c.yellow(`PARTIAL: ${plural(result.lacks.count, 'path')} of the data dir could not be read and ${result.lacks.count === 1 ? 'is' : 'are'} not in this snapshot (${shown}${result.lacks.count > 5 ? ', ...' : ''}); it is marked partial, and restore will say so`));
      }
      const body = renderFindings(result.findings, c, true);
      if (body) out.push('', body);
      if (result.pruned) {
        out.push('');
        if (result.pruned.removed.length === 0) out.push(`prune ${describePolicy(result.pruned.policy)}: nothing to remove`);
        for (const r of result.pruned.removed) out.push(`removed ${r.name} (${r.reason})`);
      }
      process.stdout.write(out.join('\n') + '\n');
      return result.exitCode;
    });
