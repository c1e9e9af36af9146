import type { Argv, CommandModule } from 'yargs';
import { formatBytes } from '../render/formatBytes.js';
import { printJson, runCommand } from '../runCommand.js';
import { makeStyle } from '../style.js';

export interface DuArgs {
  dir?: string;
  dest?: string;
  json: boolean;
  color?: boolean;
}

export const duCommand: CommandModule<object, DuArgs> = {
  command: 'du [dir]',
  describe: 'disk space per run (metrics, artifacts, logs), quarantine and backups, largest first',
  builder: (y) =>
    y
      .positional('dir', { type: 'string', describe: 'data dir (holds runs/) or a folder holding .trackio/' })
      .option('dest', { type: 'string', describe: 'BACKUPS to measure (default $TRACKIO_FSCK_BACKUPS, else trackio_backups beside the data dir)' }) as unknown as Argv<DuArgs>,
  handler: (args) =>
    runCommand(async () => {
      const { diskUsage } = await import('../../engine/du/diskUsage.js');
      const du = await diskUsage(args.dir, { dest: args.dest });
      if (args.json) {
        printJson(du);
        return 0;
      }
      const c = makeStyle(process.stdout, args.color);
      const head = ['RUN', 'TOTAL', 'METRICS', 'ARTIFACTS', 'LOGS', 'OTHER'];
      const rows = du.runs.map((r) => [r.run, formatBytes(r.bytes), formatBytes(r.metrics), formatBytes(r.artifacts), formatBytes(r.logs), formatBytes(r.other)]);
      const width = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
      const line = (cells: string[]) => cells.map((cell, i) => (i === 0 ? cell.padEnd(width[i]!) : cell.padStart(width[i]!))).join('  ');
      const out = [`${c.bold('du')} ${du.dataDir}`, '', c.bold(line(head)), ...rows.map(line)];
      if (rows.length === 0) out.push('(no runs)');
      const runsTotal = du.runs.reduce((n, r) => n + r.bytes, 0);
      const label = (s: string) => s.padEnd(width[0]!);
      out.push('');
      out.push(`${label(`runs (${du.runs.length})`)}  ${formatBytes(runsTotal).padStart(width[1]!)}`);
      out.push(`${label('quarantine')}  ${formatBytes(du.quarantine).padStart(width[1]!)}`);
      out.push(`${label('other')}  ${formatBytes(du.other).padStart(width[1]!)}`);
      out.push(`${label(`backups (${du.snapshots})`)}  ${formatBytes(du.backups).padStart(width[1]!)}  ${c.dim(`on disk, hard links counted once: ${du.backupsDir}`)}`);
      out.push(c.bold(`${label('total')}  ${formatBytes(du.total).padStart(width[1]!)}`));
      process.stdout.write(out.join('\n') + '\n');
      return 0;
    }),
};
