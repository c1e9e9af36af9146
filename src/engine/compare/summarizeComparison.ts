import type { CompareResult, FileDiff, RunComparison } from './CompareResult.js';

const MAX_LINES = 5;
const n = (x: number) => x.toLocaleString('en');
const plural = (x: number, one: string, many = `${one}s`) => `${n(x)} ${x === 1 ? one : many}`;
const label = (r: RunComparison) => (r.project !== null ? `${r.project}/${r.run}` : r.run);

/**
 * The few lines a person reads first ("B is 1,200 steps behind on run X; 3 media files missing in
 * B"), most telling first; --json has the rest.
 */
export function summarizeComparison(result: Omit<CompareResult, 'summary' | 'exitCode' | 'durationMs'>): string[] {
  const lines: string[] = [];
  if (result.errors.length > 0) {
    const first = result.errors[0]!;
    lines.push(`could not read ${plural(result.errors.length, 'item')}, so the comparison is incomplete: ${first.side ? `${first.side.toUpperCase()}: ` : ''}${first.path}: ${first.message}`);
  }
  for (const side of ['a', 'b'] as const) {
    const only = result.projects.filter((p) => p.presence === `only-in-${side}`).map((p) => p.project);
    if (only.length > 0) lines.push(`${plural(only.length, 'project')} only in ${side.toUpperCase()}: ${list(only)}`);
  }
  for (const side of ['a', 'b'] as const) {
    const other = side === 'a' ? 'b' : 'a';
    const only = result.runs.filter((r) => r[side] && !r[other] && result.projects.find((p) => p.project === r.project)?.presence !== `only-in-${side}`);
    if (only.length > 0) lines.push(`${plural(only.length, 'run')} only in ${side.toUpperCase()}: ${list(only.map(label))}`);
  }
  const gaps = result.runs
    .filter((r) => r.a?.maxStep != null && r.b?.maxStep != null && r.a.maxStep !== r.b.maxStep)
    .sort((x, y) => Math.abs(y.a!.maxStep! - y.b!.maxStep!) - Math.abs(x.a!.maxStep! - x.b!.maxStep!));
  if (gaps.length > 0) {
    const top = gaps[0]!;
    const gap = top.a!.maxStep! - top.b!.maxStep!;
    const more = gaps.length > 1 ? ` (and ${plural(gaps.length - 1, 'more run')})` : '';
    lines.push(`B is ${plural(Math.abs(gap), 'step')} ${gap > 0 ? 'behind' : 'ahead'} on run ${label(top)} (last step ${n(top.a!.maxStep!)} in A, ${n(top.b!.maxStep!)} in B)${more}`);
  }
  const both = result.runs.filter((r) => r.a && r.b);
  const rows = both.reduce((t, r) => ({ a: t.a + r.metrics.onlyInA, b: t.b + r.metrics.onlyInB, d: t.d + r.metrics.differ }), { a: 0, b: 0, d: 0 });
  if (rows.a + rows.b + rows.d > 0) {
    const touched = both.filter((r) => r.metrics.onlyInA + r.metrics.onlyInB + r.metrics.differ > 0).length;
    lines.push(`metrics of runs on both sides: ${n(rows.a)} only in A, ${n(rows.b)} only in B, ${n(rows.d)} differ (${plural(touched, 'run')})`);
  }
  const docs: string[] = [];
  const configs = result.runs.filter((r) => r.a && r.b && r.config !== 'equal');
  if (configs.length > 0) docs.push(`config differs on ${configs.length === 1 ? `run ${label(configs[0]!)}` : plural(configs.length, 'run')}`);
  const summaries = result.runs.filter((r) => r.a && r.b && r.summary !== undefined && r.summary !== 'equal');
  if (summaries.length > 0) docs.push(`summary.json differs on ${summaries.length === 1 ? `run ${label(summaries[0]!)}` : plural(summaries.length, 'run')}`);
  for (const t of ['system_metrics', 'alerts', 'traces']) {
    const d = both.reduce((s, r) => s + diffSize(r.tables?.[t]), 0);
    if (d > 0) docs.push(`${t}: ${plural(d, 'row')} not shared`);
  }
  if (docs.length > 0) lines.push(docs.join('; '));
  const registry = registryLine(result.projects);
  if (registry) lines.push(registry);
  const files: string[] = [];
  const fileLine = (f: FileDiff, what: string) => {
    if (f.onlyInB > 0) files.push(`${plural(f.onlyInB, what)} missing in A`);
    if (f.onlyInA > 0) files.push(`${plural(f.onlyInA, what)} missing in B`);
    if (f.differ > 0) files.push(`${plural(f.differ, what)} differ${f.differ === 1 ? 's' : ''}`);
  };
  fileLine(sum(result.projects.map((p) => p.media)), 'media file');
  fileLine(sum(result.projects.map((p) => p.artifacts)), 'artifact file');
  fileLine(sum([result.files, ...result.runs.flatMap((r) => (r.files && r.a && r.b ? [r.files] : []))]), 'file');
  if (files.length > 0) lines.push(files.join('; '));
  if (lines.length === 0) {
    const rowsTotal = result.runs.reduce((t, r) => t + (r.a?.rows ?? 0), 0);
    const projects = result.projects.length > 0 ? `${plural(result.projects.length, 'project')}, ` : '';
    return [`A and B hold the same data: ${projects}${plural(result.runs.length, 'run')}, ${plural(rowsTotal, 'metrics row')}`];
  }
  if (lines.length > MAX_LINES) return [...lines.slice(0, MAX_LINES - 1), `and ${plural(lines.length - MAX_LINES + 1, 'more kind')} of difference: --json lists every one`];
  return lines;
}

/** Registry rows of projects on both sides: "artifact registry: 1 artifact, 2 versions only in B; 1 alias differs; project_metadata: 1 key only in A". */
function registryLine(projects: CompareResult['projects']): string | undefined {
  const kinds: Array<[string, string, string]> = [
    ['artifacts', 'artifact', 'artifacts'],
    ['artifact_versions', 'version', 'versions'],
    ['artifact_aliases', 'alias', 'aliases'],
    ['run_artifact_links', 'run link', 'run links'],
  ];
  const total = (table: string, key: 'onlyInA' | 'onlyInB' | 'differ') => projects.filter((p) => p.presence === 'both').reduce((t, p) => t + (p.tables[table]?.[key] ?? 0), 0);
  const part = (names: Array<[string, string, string]>, key: 'onlyInA' | 'onlyInB' | 'differ', tail: string) => {
    const said = names.flatMap(([t, one, many]) => (total(t, key) > 0 ? [plural(total(t, key), one, many)] : []));
    if (said.length === 0) return [];
    const one = said.length === 1 && said[0]!.startsWith('1 ');
    return [`${said.join(', ')} ${key === 'differ' ? (one ? 'differs' : 'differ') : tail}`];
  };
  const say = (names: Array<[string, string, string]>) => [...part(names, 'onlyInA', 'only in A'), ...part(names, 'onlyInB', 'only in B'), ...part(names, 'differ', '')];
  const out: string[] = [];
  const artifacts = say(kinds);
  if (artifacts.length > 0) out.push(`artifact registry: ${artifacts.join('; ')}`);
  const metadata = say([['project_metadata', 'key', 'keys']]);
  if (metadata.length > 0) out.push(`project_metadata: ${metadata.join('; ')}`);
  return out.length > 0 ? out.join('; ') : undefined;
}

function list(names: string[], max = 3): string {
  return names.length <= max ? names.join(', ') : `${names.slice(0, max).join(', ')} and ${n(names.length - max)} more`;
}

function diffSize(d: { onlyInA: number; onlyInB: number; differ: number } | undefined): number {
  return d ? d.onlyInA + d.onlyInB + d.differ : 0;
}

function sum(diffs: FileDiff[]): FileDiff {
  return diffs.reduce((t, f) => ({ same: t.same + f.same, onlyInA: t.onlyInA + f.onlyInA, onlyInB: t.onlyInB + f.onlyInB, differ: t.differ + f.differ, listed: [] }), { same: 0, onlyInA: 0, onlyInB: 0, differ: 0, listed: [] });
}
