import type { ChalkInstance } from 'chalk';
import type { Argv, CommandModule } from 'yargs';
import type { Finding } from '../../engine/finding.js';
import { formatBytes, plural } from '../render/formatBytes.js';
import { printJson, runCommand } from '../runCommand.js';
import { makeStyle } from '../style.js';

interface BackupsArgs {
  dest?: string;
  json: boolean;
  color?: boolean;
}
interface VerifyArgs extends BackupsArgs {
  name?: string;
}
interface PruneArgs extends BackupsArgs {
  keep: number;
  'dry-run': boolean;
}

const dest = { type: 'string', describe: 'BACKUPS: the folder holding snapshots (default ./trackio_backups)' } as const;

function paintState(c: ChalkInstance, state: string): string {
  return state === 'damaged' ? c.red.bold(state) : state === 'incomplete' || state === 'partial' ? c.yellow(state) : state === 'unknown' ? c.dim(state) : c.green(state);
}

function localTime(iso: string | null): string {
  if (!iso) return '-';
  const d = new Date(iso);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

function renderFinding(f: Finding, c: ChalkInstance): string {
  const label = f.severity === 'error' ? c.red.bold('error  ') : f.severity === 'warning' ? c.yellow('warning') : c.cyan('info   ');
  return `  ${label}  ${c.bold(f.code)}  ${f.path}${f.line !== undefined ? `:${f.line}` : ''}\n           ${f.message}`;
}

const listCommand: CommandModule<object, BackupsArgs> = {
  command: 'list',
  describe: 'snapshots with date, state and size (apparent, and on disk with hard links counted once)',
  builder: (y) => y.option('dest', dest) as unknown as Argv<BackupsArgs>,
  handler: (args) =>
    runCommand(async () => {
      const { listSnapshots } = await import('../../engine/backup/listSnapshots.js');
      const listing = await listSnapshots(args.dest);
      if (args.json) {
        printJson(listing);
        return 0;
      }
      const c = makeStyle(process.stdout, args.color);
      if (listing.snapshots.length === 0) {
        process.stdout.write(`no snapshots in ${listing.backupsDir}\n`);
        return 0;
      }
      const head = ['SNAPSHOT', 'DATE (local)', 'STATE', 'FILES', 'SIZE', 'ON DISK'];
      const rows = listing.snapshots.map((s) => [s.name, localTime(s.time), s.state, String(s.files), formatBytes(s.bytes), formatBytes(s.diskBytes)]);
      const width = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
      const line = (cells: string[], paint = false) =>
        cells.map((cell, i) => {
          const padded = i >= 3 ? cell.padStart(width[i]!) : cell.padEnd(width[i]!);
          return paint && i === 2 ? paintState(c, cell) + padded.slice(cell.length) : padded;
        }).join('  ');
      const out = [`${c.bold('backups')} ${listing.backupsDir}`, '', c.bold(line(head)), ...rows.map((r) => line(r, true))];
      const n = listing.snapshots.length;
      out.push('', `${n} ${n === 1 ? 'entry' : 'entries'}: ${formatBytes(listing.total.bytes)} of files, ${formatBytes(listing.total.diskBytes)} on disk (hard links counted once)`);
      if (listing.snapshots.some((s) => s.state === 'incomplete')) out.push(c.dim('incomplete: left by an interrupted backup; trackio-fsck backups prune removes it'));
      process.stdout.write(out.join('\n') + '\n');
      return 0;
    }),
};

const verifyCommand: CommandModule<object, VerifyArgs> = {
  command: 'verify [name]',
  describe: 're-hash one snapshot (or all) against its manifest; exit 4 when one is damaged',
  builder: (y) => y.positional('name', { type: 'string', describe: 'snapshot name (default: every snapshot)' }).option('dest', dest) as unknown as Argv<VerifyArgs>,
  handler: (args) =>
    runCommand(async () => {
      const { verifyBackups } = await import('../../engine/backup/verifyBackups.js');
      const result = await verifyBackups(args.dest, args.name);
      if (args.json) {
        printJson(result);
        return result.exitCode;
      }
      const c = makeStyle(process.stdout, args.color);
      const out = [`${c.bold('backups verify')} ${result.backupsDir}`, ''];
      for (const s of result.snapshots) {
        out.push(`${s.name}  ${s.ok ? c.green('ok') : c.red.bold('DAMAGED')}  ${plural(s.files, 'file')}, ${formatBytes(s.bytes)} re-hashed`);
        for (const f of s.findings) out.push(renderFinding(f, c));
      }
      for (const f of result.findings) out.push(renderFinding(f, c));
      const sum = result.summary;
      out.push('', `${plural(sum.snapshots, 'snapshot')} verified: ${sum.damaged > 0 ? c.red.bold(`${sum.damaged} damaged`) : c.green('all intact')}, ${plural(sum.errors, 'error')}, ${plural(sum.warnings, 'warning')}`);
      if (result.snapshots.some((s) => s.findings.some((f) => /shared by/.test(f.message)))) {
        out.push(c.dim('hard-linked snapshots share one copy of an unchanged file: verify the others too (backups verify)'));
      }
      process.stdout.write(out.join('\n') + '\n');
      return result.exitCode;
    }),
};

const pruneCommand: CommandModule<object, PruneArgs> = {
  command: 'prune',
  describe: 'keep the N newest snapshots (and always the newest verified one); remove the rest and leftovers of interrupted backups',
  builder: (y) =>
    y
      .option('keep', { type: 'number', demandOption: true, describe: 'how many of the newest snapshots to keep (by the time in their names)' })
      .option('dry-run', { alias: 'n', type: 'boolean', default: false, describe: 'say what would be removed, remove nothing' })
      .option('dest', dest) as unknown as Argv<PruneArgs>,
  handler: (args) =>
    runCommand(async () => {
      const { resolve } = await import('node:path');
      const { pruneSnapshots } = await import('../../engine/backup/pruneSnapshots.js');
      const { DEFAULT_BACKUPS_DIR } = await import('../../engine/backup/snapshotLayout.js');
      const result = await pruneSnapshots(resolve(args.dest ?? DEFAULT_BACKUPS_DIR), args.keep, { dryRun: args['dry-run'] });
      if (args.json) {
        const { TOOL, VERSION } = await import('../../engine/version.js');
        printJson({ tool: TOOL, version: VERSION, command: 'backups prune', ...result, exitCode: 0 });
        return 0;
      }
      const c = makeStyle(process.stdout, args.color);
      const verb = result.dryRun ? 'would remove' : 'removed';
      const out = [`${c.bold('backups prune')} --keep ${result.keep} ${result.backupsDir}`, ''];
      for (const k of result.kept) out.push(`kept    ${k.name}  ${c.dim(k.reason)}`);
      for (const r of result.removed) out.push(`${verb} ${r.name}  ${c.dim(r.reason)}`);
      for (const u of result.untouched) out.push(`left    ${u}  ${c.dim('not made by trackio-fsck (no record): never pruned')}`);
      out.push('', `${result.removed.length} ${verb}, ${result.kept.length} kept`);
      process.stdout.write(out.join('\n') + '\n');
      return 0;
    }),
};

export const backupsCommand: CommandModule = {
  command: 'backups <command>',
  describe: 'list, verify or prune the snapshots in BACKUPS',
  builder: (y) => y.command(listCommand).command(verifyCommand).command(pruneCommand).demandCommand(1, 'name a backups command: list, verify or prune'),
  handler: () => {},
};
