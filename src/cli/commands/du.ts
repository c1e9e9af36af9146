import type { ArgsOf } from '../options.js';
import { formatBytes } from '../render/formatBytes.js';
import { printJson, runCommand } from '../runCommand.js';
import { makeStyle } from '../style.js';
import { cliContext } from '../cliContext.js';

export type DuArgs = ArgsOf<'du'>;

export const duHandler = (args: DuArgs) =>
    runCommand(async () => {
      const { diskUsage } = await import('../../engine/du/diskUsage.js');
      const du = await diskUsage(args.dir, { dest: args.dest });
      if (args.json) {
        printJson(du);
        return 0;
      }
      // du finds no problems: --quiet leaves nothing to print.
      if (cliContext.quiet) return 0;
      const c = makeStyle(process.stdout, args.color);
      // Runs (metrics, artifacts, logs) or Trackio projects (database, WAL, media, artifacts, parquet).
      const byProject = du.projects.length > 0;
      const noun = byProject ? 'project' : 'run';
      const head = byProject ? ['PROJECT', 'TOTAL', 'DATABASE', 'WAL', 'MEDIA', 'ARTIFACTS', 'PARQUET'] : ['RUN', 'TOTAL', 'METRICS', 'ARTIFACTS', 'LOGS', 'OTHER'];
      const rows = byProject
        ? du.projects.map((p) => [p.project, ...[p.bytes, p.database, p.wal, p.media, p.artifacts, p.parquet].map(formatBytes)])
        : du.runs.map((r) => [r.run, ...[r.bytes, r.metrics, r.artifacts, r.logs, r.other].map(formatBytes)]);
      const width = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
      const line = (cells: string[]) => cells.map((cell, i) => (i === 0 ? cell.padEnd(width[i]!) : cell.padStart(width[i]!))).join('  ');
      const out = [`${c.bold('du')} ${du.dataDir}`, '', c.bold(line(head)), ...rows.map(line)];
      if (rows.length === 0) out.push(`(no ${noun}s)`);
      const unitsTotal = [...du.runs, ...du.projects].reduce((n, r) => n + r.bytes, 0);
      const label = (s: string) => s.padEnd(width[0]!);
      out.push('');
      out.push(`${label(`${noun}s (${rows.length})`)}  ${formatBytes(unitsTotal).padStart(width[1]!)}`);
      out.push(`${label('quarantine')}  ${formatBytes(du.quarantine).padStart(width[1]!)}`);
      out.push(`${label('other')}  ${formatBytes(du.other).padStart(width[1]!)}`);
      out.push(`${label(`backups (${du.snapshots})`)}  ${formatBytes(du.backups).padStart(width[1]!)}  ${c.dim(`on disk, hard links counted once: ${du.backupsDir}`)}`);
      out.push(c.bold(`${label('total')}  ${formatBytes(du.total).padStart(width[1]!)}`));
      process.stdout.write(out.join('\n') + '\n');
      return 0;
    });
