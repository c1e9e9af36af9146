import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { loadSqlite, sqliteUri, type SqliteDatabase } from '../layouts/trackioSqlite/loadSqlite.js';
import { openReadOnly, type ReadOnlyDatabase } from '../layouts/trackioSqlite/openReadOnly.js';
import { projectLiveness } from '../layouts/trackioSqlite/isProjectLive.js';
import { readSqliteHeader } from '../layouts/trackioSqlite/readSqliteHeader.js';
import type { CompareError, ProjectComparison, RowDiff, RunComparison, Side, SideRun, TableCounts } from './CompareResult.js';
import { compareFileTrees, emptyFileDiff } from './compareFiles.js';
import { diffTableRows, type RowEvent, type RowSource, type SchemaName, type TableRowsDiff } from './diffTableRows.js';
import { compareCodePoints } from './compareCodePoints.js';
import { diffRegistry } from './diffRegistry.js';

/** One project database opened read-only, with its tables and their columns. */
interface OpenSide {
  opened: ReadOnlyDatabase;
  tables: Map<string, Set<string>>;
}

/** Several cells of table alias `t` as one BLOB, a NULL told apart from an empty value. */
function concat(cols: string[], have: Set<string>): (t: string) => string {
  return (t) => cols.map((c) => (have.has(c) ? `coalesce(CAST(${t}."${c}" AS BLOB), x'ff')` : `x'ff'`)).join(` || x'00' || `);
}

/**
 * The tables compared row by row and how each side reads them: identity (Trackio's own dedup key:
 * log_id; alert_id; traces' id), run, place in the run, content. Configs have no identity and no
 * place: a run's config on A and on B pair up, so a changed config is one row that differs.
 */
const TABLES: Array<{ table: string; source: (have: Set<string>) => RowSource }> = [
  { table: 'metrics', source: (h) => ({ table: 'metrics', id: h.has('log_id') ? 'log_id' : undefined, run: 'run_name', at: 'step', content: (t) => `CAST(${t}.metrics AS BLOB)` }) },
  { table: 'configs', source: () => ({ table: 'configs', run: 'run_name', content: (t) => `CAST(${t}.config AS BLOB)` }) },
  { table: 'system_metrics', source: (h) => ({ table: 'system_metrics', id: h.has('log_id') ? 'log_id' : undefined, run: 'run_name', at: 'timestamp', content: (t) => `CAST(${t}.metrics AS BLOB)` }) },
  { table: 'alerts', source: (h) => ({ table: 'alerts', id: h.has('alert_id') ? 'alert_id' : undefined, run: 'run_name', at: 'timestamp', content: concat(['title', 'text', 'level', 'step'], h) }) },
  { table: 'traces', source: (h) => ({ table: 'traces', id: 'id', run: 'run_name', at: 'step', content: concat(['key', 'messages', 'metadata'], h) }) },
];

export interface DatabasesComparison {
  projects: ProjectComparison[];
  runs: RunComparison[];
}

/** <project>.db files directly in a Trackio data dir (registries, registry-<name>.db, are projects too). */
export async function projectsIn(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  return entries.filter((e) => e.isFile() && e.name.endsWith('.db')).map((e) => e.name.slice(0, -3));
}

/**
 * Compares two Trackio data dirs project by project: rows of each table (diffTableRows), per run
 * the metrics rows and highest step, and the project's media and artifact files. Both sides are
 * read as `check` reads them (openReadOnly): no file is created or changed beside either database.
 */
export interface DatabasesOptions {
  /** Every row not shared, with its row ids (planMerge); compare itself only counts them. */
  onRow?: (project: string, table: string, e: RowEvent) => void;
  /** File differences listed per project (default 20; planMerge lists all). */
  maxListed?: number;
}

export async function compareDatabases(dirA: string, dirB: string, errors: CompareError[], options: DatabasesOptions = {}): Promise<DatabasesComparison> {
  const [inA, inB] = await Promise.all([projectsIn(dirA), projectsIn(dirB)]);
  const setA = new Set(inA);
  const setB = new Set(inB);
  const names = [...new Set([...inA, ...inB])].sort(compareCodePoints);
  const out: DatabasesComparison = { projects: [], runs: [] };
  // Who is writing what, read once per side (/proc/locks and every process's open files).
  const [liveA, liveB] = await Promise.all([projectLiveness(dirA, inA), projectLiveness(dirB, inB)]);
  for (const project of names) {
    const presence = setA.has(project) && setB.has(project) ? 'both' : setA.has(project) ? 'only-in-a' : 'only-in-b';
    const a = setA.has(project) ? await openSide(dirA, project, liveA.get(project)?.live ?? false, 'a', errors) : undefined;
    const b = setB.has(project) ? await openSide(dirB, project, liveB.get(project)?.live ?? false, 'b', errors) : undefined;
    try {
      const unreadable = (setA.has(project) && !a) || (setB.has(project) && !b);
      const comparison: ProjectComparison = { project, presence, tables: {}, media: emptyFileDiff(), artifacts: emptyFileDiff(), equal: presence === 'both' };
      let runs: RunComparison[] = [];
      let failed = unreadable;
      if (!unreadable) {
        try {
          runs = compareProjectRows(project, a, b, comparison, options.onRow);
        } catch (err) {
          // A damaged page stops the read part way: what was compared is not the whole project.
          errors.push({ side: null, path: `${project}.db`, message: `reading stopped: ${(err as Error).message}` });
          failed = true;
        }
      }
      comparison.media = await compareFileTrees(join(dirA, 'media', project), join(dirB, 'media', project), `media/${project}/`, { errors, maxListed: options.maxListed });
      comparison.artifacts = await compareFileTrees(join(dirA, 'artifacts', project), join(dirB, 'artifacts', project), `artifacts/${project}/`, { errors, maxListed: options.maxListed });
      comparison.equal =
        comparison.equal &&
        !failed &&
        Object.values(comparison.tables).every(isEmpty) &&
        [comparison.media, comparison.artifacts].every((f) => f.onlyInA + f.onlyInB + f.differ === 0);
      out.projects.push(comparison);
      out.runs.push(...runs);
    } finally {
      await a?.opened.close();
      await b?.opened.close();
    }
  }
  return out;
}

async function openSide(dir: string, project: string, live: boolean, side: Side, errors: CompareError[]): Promise<OpenSide | undefined> {
  const rel = `${project}.db`;
  const abs = join(dir, rel);
  try {
    const header = await readSqliteHeader(abs);
    if (!header) throw new Error('not a SQLite database (no SQLite header)');
    const opened = await openReadOnly(abs, header, live);
    try {
      const tables = new Map<string, Set<string>>();
      for (const name of opened.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[]) {
        tables.set(name, new Set(opened.db.prepare('SELECT name FROM pragma_table_info(?)').pluck().all(name) as string[]));
      }
      return { opened, tables };
    } catch (err) {
      await opened.close();
      throw err;
    }
  } catch (err) {
    errors.push({ side, path: rel, message: (err as Error).message });
    return undefined;
  }
}

function compareProjectRows(project: string, a: OpenSide | undefined, b: OpenSide | undefined, comparison: ProjectComparison, onRow?: DatabasesOptions['onRow']): RunComparison[] {
  // One connection sees both sides (B attached as `b`), so SQLite matches the rows and only the
  // differences reach JavaScript. With no A, an empty in-memory database stands in (no file).
  const db = a?.opened.db ?? new (loadSqlite())(':memory:');
  if (b) db.prepare('ATTACH ? AS b').run(attachName(b.opened));
  // B's pages are read once or twice: SQLite's own default page cache (2 MB; better-sqlite3 raises
  // it to 16 MB) is enough. A's connection keeps its own, which also sizes the sorter's memory
  // before it spills to a temp file.
  if (b) db.pragma('b.cache_size = -2000');
  const perTable = new Map<string, TableRowsDiff>();
  let statsA: Map<string, SideRun>;
  let statsB: Map<string, SideRun>;
  try {
    statsA = runStats(db, 'main', a);
    statsB = runStats(db, 'b', b);
    const metricsRows = (stats: Map<string, SideRun>) => [...stats.values()].reduce((n, r) => n + r.rows, 0);
    for (const spec of TABLES) {
      const srcA = readable(a, spec);
      const srcB = readable(b, spec);
      if (!srcA && !srcB) continue;
      // A table one side lacks (an older schema) counts as empty there. Metrics rows were just counted.
      const known = spec.table === 'metrics' && a?.tables.get('metrics')?.has('step') && b?.tables.get('metrics')?.has('step') ? { a: metricsRows(statsA), b: metricsRows(statsB) } : undefined;
      const diff = diffTableRows(db, srcA, srcB, known, onRow && ((e) => onRow(project, spec.table, e)));
      perTable.set(spec.table, diff);
      const counts: TableCounts = { a: diff.a, b: diff.b, ...diff.total };
      comparison.tables[spec.table] = counts;
    }
    // The artifact registry and project_metadata: project-wide rows, matched by name and digest, not by id.
    const registry = diffRegistry(db, a?.tables, b?.tables, onRow && ((table, e) => onRow(project, table, e)));
    Object.assign(comparison.tables, registry.tables);
    if (registry.examples.length > 0) comparison.examples = registry.examples;
  } finally {
    if (b) db.exec('DETACH b');
    if (!a) db.close();
  }
  const names = new Set<string>([...statsA.keys(), ...statsB.keys()]);
  for (const d of perTable.values()) for (const run of d.perRun.keys()) names.add(run);
  const runs: RunComparison[] = [];
  for (const run of [...names].sort(compareCodePoints)) {
    const metrics = perTable.get('metrics')?.perRun.get(run) ?? zero();
    const cfg = perTable.get('configs')?.perRun.get(run) ?? zero();
    const tables: Record<string, RowDiff> = {};
    for (const t of ['system_metrics', 'alerts', 'traces']) {
      const d = perTable.get(t)?.perRun.get(run);
      if (d) tables[t] = d;
    }
    const examples = [...perTable.values()].flatMap((d) => d.examples.get(run) ?? []);
    const config = cfg.differ > 0 ? 'differ' : cfg.onlyInA > 0 ? 'only-in-a' : cfg.onlyInB > 0 ? 'only-in-b' : 'equal';
    const equal = isEmpty(metrics) && config === 'equal' && Object.values(tables).every(isEmpty);
    runs.push({ project, run, a: statsA.get(run) ?? null, b: statsB.get(run) ?? null, metrics, config, tables, examples, equal });
  }
  return runs;
}

function readable(side: OpenSide | undefined, spec: (typeof TABLES)[number]): RowSource | undefined {
  const have = side?.tables.get(spec.table);
  if (!have) return undefined;
  return spec.source(have);
}

/**
 * Metrics rows and highest step per run. Databases of 0.24+ are grouped by run_id, which Trackio's
 * (run_id, step) index answers without reading the rows (five times faster on a million rows than
 * grouping by run_name), and each run_id's name is read from one of its rows: Trackio writes and
 * renames a run's rows in one transaction, so a run_id has one name. Older databases: by run_name.
 */
function runStats(db: SqliteDatabase, schema: SchemaName, side: OpenSide | undefined): Map<string, SideRun> {
  const stats = new Map<string, SideRun>();
  const cols = side?.tables.get('metrics');
  if (!cols?.has('step')) return stats;
  const add = (run: unknown, count: number, max: unknown) => {
    const name = String(run);
    const step = typeof max === 'number' ? max : max === null ? null : Number(max);
    const have = stats.get(name);
    if (!have) stats.set(name, { rows: count, maxStep: step });
    else {
      have.rows += count;
      if (step !== null && (have.maxStep === null || step > have.maxStep)) have.maxStep = step;
    }
  };
  if (cols.has('run_id')) {
    const nameOf = db.prepare(`SELECT run_name FROM ${schema}.metrics WHERE run_id IS ? LIMIT 1`).pluck();
    for (const [id, count, max] of db.prepare(`SELECT run_id, count(*), max(step) FROM ${schema}.metrics GROUP BY run_id`).raw(true).all() as Array<[unknown, number, unknown]>) {
      add(nameOf.get(id), count, max);
    }
  } else {
    for (const [run, count, max] of db.prepare(`SELECT run_name, count(*), max(step) FROM ${schema}.metrics GROUP BY run_name`).raw(true).all() as Array<[unknown, number, unknown]>) add(run, count, max);
  }
  return stats;
}

/**
 * The name to ATTACH a side by, read-only as it was opened: the same immutable URI, the private
 * copy (already replayed), or a live database through SQLite's locking with mode=ro.
 */
function attachName(opened: ReadOnlyDatabase): string {
  const name = opened.db.name;
  if (opened.how === 'shared') return sqliteUri(name, { mode: 'ro' });
  return name;
}

function zero(): RowDiff {
  return { onlyInA: 0, onlyInB: 0, differ: 0 };
}

function isEmpty(d: RowDiff): boolean {
  return d.onlyInA + d.onlyInB + d.differ === 0;
}
