import type { ChalkInstance } from 'chalk';
import type { Finding, Severity } from '../../engine/finding.js';
import type { Report } from '../../engine/report.js';
import { formatBytes, plural } from './formatBytes.js';

const LABEL: Record<Severity, string> = { error: 'error  ', warning: 'warning', info: 'info   ' };

function paint(c: ChalkInstance, severity: Severity, text: string): string {
  return severity === 'error' ? c.red.bold(text) : severity === 'warning' ? c.yellow(text) : c.cyan(text);
}

/** path:line (byte N), relative to the run when the finding belongs to one. */
function location(f: Finding): string {
  const prefix = f.run !== null ? `runs/${f.run}/` : '';
  let where = f.path.startsWith(prefix) && f.path !== prefix ? f.path.slice(prefix.length) : f.path;
  if (f.run !== null && f.path === `runs/${f.run}`) where = '(run)';
  if (f.table !== undefined) where += ` ${f.table}${f.rowId !== undefined ? ` row ${f.rowId}` : ''}`;
  if (f.line !== undefined) where += `:${f.line}`;
  if (f.offset !== undefined) where += ` (byte ${f.offset})`;
  return where;
}

/** Findings grouped by run, each with where, what it means and what repair would do. */
export function renderFindings(findings: Finding[], c: ChalkInstance, verbose = false): string {
  const lines: string[] = [];
  let group: string | undefined;
  for (const f of findings) {
    if (f.severity === 'info' && !verbose && f.code !== 'run/live') continue;
    const heading = f.run !== null ? `runs/${f.run}` : '(data dir)';
    if (heading !== group) {
      if (group !== undefined) lines.push('');
      lines.push(c.bold(heading));
      group = heading;
    }
    lines.push(`  ${paint(c, f.severity, LABEL[f.severity])}  ${c.bold(f.code)}  ${location(f)}`);
    lines.push(`           ${f.message}`);
    if (f.fix) lines.push(c.dim(`           repair: ${f.fix.description}${f.fix.safe ? '' : ' (repair -y)'}`));
  }
  return lines.join('\n');
}

export function renderSummaryLine(report: Report, c: ChalkInstance): string {
  const s = report.summary;
  const what = `${plural(s.runs, 'run')}, ${plural(s.files, 'file')}, ${formatBytes(s.bytes)} in ${(s.durationMs / 1000).toFixed(2)} s`;
  const verdict =
    s.errors > 0
      ? c.red.bold(plural(s.errors, 'error'))
      : c.green('no errors');
  const warnings = s.warnings > 0 ? c.yellow(plural(s.warnings, 'warning')) : plural(0, 'warning');
  return `${what}: ${verdict}, ${warnings}`;
}
