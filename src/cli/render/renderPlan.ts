import type { ChalkInstance } from 'chalk';
import type { LeftFinding, PlanStep } from '../../engine/repair/RepairPlan.js';
import type { Journal } from '../../engine/repair/Journal.js';
import type { UndoOutcome } from '../../engine/repair/undoRepair.js';
import type { Finding } from '../../engine/finding.js';
import { plural } from './formatBytes.js';
import { join } from 'node:path';

/** One step: number, whether --preen applies it, the action, the file, and what it does. */
export function renderStep(s: PlanStep, c: ChalkInstance): string {
  const tag = s.safe ? c.green('safe') : c.yellow('-y  ');
  return `  ${String(s.id).padStart(2)}  ${tag}  ${c.bold(s.action.padEnd(20))} ${s.path}\n${c.dim(`                ${s.description}`)}`;
}

export function renderPlan(steps: PlanStep[], left: LeftFinding[], c: ChalkInstance): string {
  const out: string[] = [];
  if (steps.length > 0) {
    const safe = steps.filter((s) => s.safe).length;
    out.push(c.bold(`Plan: ${steps.length} ${steps.length === 1 ? 'fix' : 'fixes'} (${safe} safe, applied by --preen; ${steps.length - safe} applied only by -y or when you say yes)`));
    for (const s of steps) out.push(renderStep(s, c));
  } else {
    out.push(c.bold('Plan: nothing to repair'));
  }
  if (left.length > 0) {
    out.push('', c.bold(`Left alone: ${plural(left.length, 'problem')}`));
    for (const l of left) out.push(renderLeft(l.finding, l.reason, c));
  }
  return out.join('\n');
}

function renderLeft(f: Finding, reason: string, c: ChalkInstance): string {
  const where = f.line !== undefined ? `${f.path}:${f.line}` : f.path;
  return `  ${c.bold(f.code)}  ${where}\n${c.dim(`                ${reason}`)}`;
}

/** What was mended and what was cut, per op, for the summary after a repair. */
export function renderApplied(journal: Journal, c: ChalkInstance): string {
  const out: string[] = [];
  for (const op of journal.ops) {
    if (op.state !== 'done') continue;
    const steps = journal.steps.filter((s) => op.steps.includes(s.id));
    if (op.kind === 'move') {
      out.push(`  ${c.green('moved')}    ${op.path} -> ${op.quarantine}`);
      continue;
    }
    if (op.database) {
      const d = op.database;
      if (d.salvage) out.push(`  ${c.green('salvaged')} ${op.path}: ${d.copied ?? 0} rows copied into a fresh database${d.skipped?.length ? `, ${d.skipped.length} damaged range(s) of row ids skipped (${d.skipped.map((s) => `${s.table} after ${s.after ?? 'start'}`).join(', ')})` : ''}; original kept in ${d.original}`);
      if (d.nonfinite) out.push(`  ${c.green('rewrote')}  ${op.path}: ${Object.entries(d.nonfiniteCells ?? {}).map(([t, n]) => `${n} cell(s) of ${t}`).join(', ') || 'no cells'}: bare NaN/Infinity quoted as Trackio writes them`);
      if (d.reindex && !d.salvage) out.push(`  ${c.green('reindexed')} ${op.path}: every index rebuilt from its table; no row changed`);
      if (d.quarantineRows || d.duplicateRows) out.push(`  ${c.green('moved')}    ${op.path}: ${Object.entries(d.rows ?? {}).map(([t, n]) => `${n} row(s) of ${t}`).join(', ') || 'no rows'} -> ${d.rowsFile}`);
      if (d.healed) out.push(c.dim(`           ${d.healed.note ?? `${d.healed.rows} row(s) the salvage could not read put back from ${d.snapshot?.label ?? 'a snapshot'}${d.healed.present ? ` (${d.healed.present} more it held already)` : ''}${d.healed.absentElsewhere ? `; ${d.healed.absentElsewhere} deleted since it left out` : ''}`}`));
      if (d.unplacedFile) out.push(c.dim(`           ${d.unplaced} row(s) found but not put back (deleted, or fitting no table) -> ${d.unplacedFile}`));
      for (const s of d.sidecars) out.push(c.dim(`           ${s.path} -> ${s.quarantine} (${s.path.endsWith('-wal') && d.walIgnored ? `not read: ${d.walIgnored}` : 'its data is in the new database'})`));
      continue;
    }
    if (op.kind === 'copy-in') {
      out.push(`  ${c.green('restored')} ${op.path} from ${op.source?.label ?? op.source?.path}`);
      continue;
    }
    for (const s of steps) {
      const verb = s.action === 'trim-last-line' ? 'cut' : s.action === 'quarantine-lines' ? 'moved' : 'mended';
      out.push(`  ${c.green(verb.padEnd(8))} ${op.path}: ${s.description}`);
    }
    for (const cut of op.cut ?? []) {
      const text = /^\0*$/.test(cut.preview) ? 'NUL bytes' : `'${printable(cut.preview)}${cut.bytes > cut.preview.length ? '…' : ''}'`;
      out.push(c.dim(`           cut: ${text} (${cut.bytes} bytes at byte ${cut.offset})`));
      out.push(c.dim(`           kept in ${join(journal.backupDir, 'files', op.path)}`));
    }
    if (op.quarantine) out.push(c.dim(`           quarantined lines: ${op.quarantine} (why: ${op.quarantine}.why.json)`));
  }
  return out.join('\n');
}

export function renderUndo(o: UndoOutcome, c: ChalkInstance): string {
  const out: string[] = [];
  for (const p of o.restored) out.push(`  ${c.green('restored')}  ${p} (exact bytes from before the repair, verified by SHA-256)`);
  for (const p of o.movedBack) out.push(`  ${c.green('moved back')} ${p}`);
  for (const p of o.removed) out.push(`  ${c.dim('removed')}   ${p}`);
  for (const p of o.displaced) out.push(`  ${c.yellow('kept')}      the bytes it replaced in ${p}`);
  for (const p of o.conflicts) out.push(`  ${c.red('left')}      ${p}`);
  return out.join('\n');
}

/** Control and non-ASCII bytes as \xNN, so a cut-off record prints on one line as it was. */
function printable(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, (ch) => `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`);
}
