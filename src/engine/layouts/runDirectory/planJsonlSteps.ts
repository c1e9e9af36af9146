import type { Finding, FixAction } from '../../finding.js';
import type { Edit, PlanStep } from '../../repair/RepairPlan.js';
import type { JsonlRepairScan, ProblemLine } from './scanJsonlForRepair.js';

type StepDraft = Omit<PlanStep, 'id'>;

/**
 * Turns one JSONL file's problem lines into steps, one per fix action (so a person answers once for
 * "quarantine 40 bad lines", not 40 times). Each line gets exactly one treatment, so the edits of
 * different steps never overlap and any subset of them can be applied together.
 */
export function planJsonlSteps(path: string, run: string | null, scan: JsonlRepairScan): StepDraft[] {
  const groups = new Map<FixAction, { edits: Edit[]; findings: Finding[]; lines: number[]; bytes: number }>();
  const add = (action: FixAction, edit: Edit, line: ProblemLine, findings: Finding[]) => {
    let g = groups.get(action);
    if (!g) groups.set(action, (g = { edits: [], findings: [], lines: [], bytes: 0 }));
    g.edits.push(edit);
    g.findings.push(...findings);
    g.lines.push(line.line);
    g.bytes += edit.end - edit.start;
  };

  for (const line of scan.lines) {
    const actions = actionsOf(line.findings);
    if (actions.has('quarantine-lines')) {
      add('quarantine-lines', { kind: 'quarantine', start: line.start, end: line.end, line: line.line }, line, line.findings.filter(hasFix));
    } else if (actions.has('strip-nul-bytes')) {
      add('strip-nul-bytes', { kind: 'strip-nul', start: line.start, end: line.end, line: line.line }, line, line.findings.filter(hasFix));
    }
  }

  const tail = scan.tail;
  if (tail) {
    const actions = actionsOf(tail.findings);
    const of = (a: FixAction) => tail.findings.filter((f) => f.fix?.action === a);
    if (tail.kind === 'partial' || tail.kind === 'nul') {
      add('trim-last-line', { kind: 'cut', start: tail.start, end: tail.end, line: tail.line }, tail, tail.findings.filter(hasFix));
    } else if (tail.kind === 'record') {
      if (actions.has('quarantine-lines')) add('quarantine-lines', { kind: 'quarantine', start: tail.start, end: tail.end, line: tail.line }, tail, of('quarantine-lines'));
      if (actions.has('strip-nul-bytes')) add('strip-nul-bytes', { kind: 'strip-nul', start: tail.start, end: tail.end, line: tail.line }, tail, of('strip-nul-bytes'));
      if (actions.has('append-final-newline')) {
        add('append-final-newline', { kind: 'insert', start: scan.size, end: scan.size, line: tail.line, text: '\n' }, tail, of('append-final-newline'));
      }
    }
  }

  const pre = { sha256: scan.sha256, size: scan.size };
  const order: FixAction[] = ['quarantine-lines', 'strip-nul-bytes', 'trim-last-line', 'append-final-newline'];
  return order.flatMap((action) => {
    const g = groups.get(action);
    if (!g) return [];
    return [{ action, safe: g.findings.every((f) => f.fix?.safe === true), run, path, description: describe(action, g), findings: g.findings, edits: g.edits, pre }];
  });
}

function describe(action: FixAction, g: { edits: Edit[]; findings: Finding[]; lines: number[]; bytes: number }): string {
  const lines = listLines(g.lines);
  const first = g.edits[0]!;
  switch (action) {
    case 'trim-last-line': {
      const what = g.findings.some((f) => f.code === 'jsonl/truncated-tail') ? 'a record cut off mid-write' : 'NUL bytes that never reached the disk';
      return `cut the last ${g.bytes} bytes (line ${first.line}, from byte ${first.start}: ${what}); they stay in the backup`;
    }
    case 'append-final-newline':
      return `append the missing newline after the last record (line ${first.line})`;
    case 'strip-nul-bytes':
      return `remove the NUL bytes from ${lines}; records written after them are kept`;
    case 'quarantine-lines':
      return `move ${lines} (${g.bytes} bytes: ${[...new Set(g.findings.map((f) => f.code))].join(', ')}) to quarantine/, with their line numbers and offsets`;
    default:
      return action;
  }
}

function listLines(lines: number[]): string {
  const shown = lines.slice(0, 8).join(', ');
  const more = lines.length > 8 ? ` and ${lines.length - 8} more` : '';
  return `${lines.length === 1 ? 'line' : `${lines.length} lines:`} ${shown}${more}`;
}

function hasFix(f: Finding): boolean {
  return f.fix !== undefined && f.fix.action !== 'none';
}

function actionsOf(findings: Finding[]): Set<FixAction> {
  return new Set(findings.filter(hasFix).map((f) => f.fix!.action));
}
