import type { ChalkInstance } from 'chalk';
import type { ArgsOf } from '../options.js';
import type { Finding } from '../../engine/finding.js';
import { formatBytes, plural } from '../render/formatBytes.js';
import { printJson, runCommand } from '../runCommand.js';
import { makeStyle } from '../style.js';
import { commandLine } from '../../engine/commandLine.js';
import { cliContext } from '../cliContext.js';
import { showProgress } from '../render/showProgress.js';


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

export const backupsListHandler = (args: ArgsOf<'backups list'>) =>
    runCommand(async () => {
      const { listSnapshots } = await import('../../engine/backup/listSnapshots.js');
      const listing = await listSnapshots(args.dest);
      if (args.json) {
        printJson(listing);
        return 0;
      }
      const c = makeStyle(process.stdout, args.color);
      if (cliContext.quiet) {
        for (const s of listing.snapshots.filter((x) => x.state === 'damaged' || x.state === 'incomplete')) process.stdout.write(`${s.name}  ${paintState(c, s.state)}\n`);
        return 0;
      }
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
      if (listing.snapshots.some((s) => s.state === 'incomplete')) out.push(c.dim(`incomplete: left by an interrupted backup; ${commandLine('backups', 'prune', '--keep', 'N', args.dest !== undefined && '--dest', args.dest)} removes it`));
      process.stdout.write(out.join('\n') + '\n');
      return 0;
    });

export const backupsVerifyHandler = (args: ArgsOf<'backups verify'>) =>
    runCommand(async () => {
      const { verifyBackups } = await import('../../engine/backup/verifyBackups.js');
      const result = await showProgress(!args.json && !cliContext.quiet, (progress) => verifyBackups(args.dest, args.name, { onFile: (bytes) => progress?.advance(bytes) }));
      if (args.json) {
        printJson(result);
        return result.exitCode;
      }
      const c = makeStyle(process.stdout, args.color);
      const out = [`${c.bold('backups verify')} ${result.backupsDir}`, ''];
      if (cliContext.quiet) out.length = 0;
      for (const s of result.snapshots) {
        if (cliContext.quiet && s.ok) continue;
        out.push(`${s.name}  ${s.ok ? c.green('ok') : c.red.bold('DAMAGED')}  ${plural(s.files, 'file')}, ${formatBytes(s.bytes)} re-hashed`);
        for (const f of s.findings) out.push(renderFinding(f, c));
      }
      for (const f of result.findings) out.push(renderFinding(f, c));
      const sum = result.summary;
      if (cliContext.quiet) {
        if (out.length) process.stdout.write(out.join('\n') + '\n');
        return result.exitCode;
      }
      out.push('', `${plural(sum.snapshots, 'snapshot')} verified: ${sum.damaged > 0 ? c.red.bold(`${sum.damaged} damaged`) : c.green('all intact')}, ${plural(sum.errors, 'error')}, ${plural(sum.warnings, 'warning')}`);
      if (result.snapshots.some((s) => s.findings.some((f) => f.code === 'backup/modified' && (f as Finding<'backup/modified'>).args?.sharedBy))) {
        out.push(c.dim(`hard-linked snapshots share one copy of an unchanged file: verify the others too (${commandLine('backups', 'verify', args.dest !== undefined && '--dest', args.dest)})`));
      }
      process.stdout.write(out.join('\n') + '\n');
      return result.exitCode;
    });

export const backupsPruneHandler = (args: ArgsOf<'backups prune'>) =>
    runCommand(async () => {
      const { pruneSnapshots } = await import('../../engine/backup/pruneSnapshots.js');
      const { resolveBackupsDir } = await import('../../engine/backup/resolveBackupsDir.js');
      const policy = { last: args.keep, daily: args['keep-daily'], weekly: args['keep-weekly'], monthly: args['keep-monthly'] };
      const result = await pruneSnapshots(resolveBackupsDir({ dest: args.dest }), policy, { dryRun: args['dry-run'] });
      if (args.json) {
        const { TOOL, VERSION } = await import('../../engine/version.js');
        printJson({ tool: TOOL, version: VERSION, command: 'backups prune', ...result, exitCode: 0 });
        return 0;
      }
      if (cliContext.quiet) return 0;
      const c = makeStyle(process.stdout, args.color);
      const verb = result.dryRun ? 'would remove' : 'removed';
      const { describePolicy } = await import('../../engine/backup/retentionPolicy.js');
      const out = [`${c.bold('backups prune')} ${describePolicy(result.policy)} ${result.backupsDir}`, ''];
      for (const k of result.kept) out.push(`kept    ${k.name}  ${c.dim(k.reason)}`);
      for (const r of result.removed) out.push(`${verb} ${r.name}  ${c.dim(r.reason)}`);
      for (const u of result.untouched) out.push(`left    ${u}  ${c.dim('not made by trackio-fsck (no record): never pruned')}`);
      out.push('', `${result.removed.length} ${verb}, ${result.kept.length} kept`);
      process.stdout.write(out.join('\n') + '\n');
      return 0;
    });

export const backupsDiffHandler = (args: ArgsOf<'backups diff'>) =>
  runCommand(async () => {
    const { diffSnapshots } = await import('../../engine/backup/diffSnapshots.js');
    const { resolveBackupsDir } = await import('../../engine/backup/resolveBackupsDir.js');
    const d = await diffSnapshots(resolveBackupsDir({ dest: args.dest }), args.from, args.to);
    if (args.json) {
      printJson(d);
      return d.exitCode;
    }
    if (cliContext.quiet) return d.exitCode;
    const c = makeStyle(process.stdout, args.color);
    const out = [`${c.bold('backups diff')} ${d.from} ${d.to}`, ''];
    for (const p of d.added) out.push(`${c.green('+ added  ')} ${p}`);
    for (const p of d.removed) out.push(`${c.red('- removed')} ${p}`);
    for (const p of d.changed) out.push(`${c.yellow('M changed')} ${p}`);
    if (d.added.length + d.removed.length + d.changed.length > 0) out.push('');
    out.push(`${d.added.length} added, ${d.removed.length} removed, ${d.changed.length} changed, ${d.unchanged} unchanged`);
    process.stdout.write(out.join('\n') + '\n');
    return d.exitCode;
  });
