import { realpath } from 'node:fs/promises';
import { FsckError } from '../errors.js';
import { findDataDir } from '../layouts/findDataDir.js';
import { layoutNamed } from '../layouts/index.js';
import { EXIT } from '../report.js';
import type { CompareError, FileEntry } from './CompareResult.js';
import { compareDatabases } from './compareDatabases.js';

/** A row of B that differs from a row of DIR at the same identity, or the same run and place: never overwritten. */
export interface MergeConflict {
  run: string;
  at: unknown;
  /** The row of DIR (absent when DIR's row is not identified, as in a surplus pairing). */
  rowIdDir?: number;
  rowIdSource?: number;
}

export interface ProjectMerge {
  project: string;
  /** The project is only in B: its whole database would be copied in (through SQLite's backup API). */
  newProject: boolean;
  /** Per table: the row ids of B's rows that DIR lacks (to insert), and the rows that conflict. */
  rows: Record<string, { bring: number[]; conflicts: MergeConflict[] }>;
  /** media/<project>/… and artifacts/<project>/… files B has and DIR lacks (to copy). */
  files: string[];
  /** Files both have with different bytes: never overwritten. */
  conflictingFiles: FileEntry[];
}

export interface MergePlan {
  dir: string;
  source: string;
  projects: ProjectMerge[];
  /** Rows to bring in, all tables and projects. */
  rows: number;
  conflicts: number;
  files: number;
  errors: CompareError[];
}

/**
 * What `merge SOURCE DIR` would bring into DIR (Trackio SQLite layout): per project, the rows of B
 * that DIR lacks (matched as compare matches them: by log_id, else by run, place and content, so no
 * row is ever brought in twice), the rows that conflict (same identity or place, other content:
 * reported, never overwritten), and the media and artifact files B has and DIR lacks. Pure: both
 * sides are read as compare reads them, nothing is written. Rows only in DIR stay as they are.
 * Holds the row ids of the differences in memory (not the rows).
 */
export async function planMerge(dir: string, source: string, options: { cwd?: string } = {}): Promise<MergePlan> {
  const env = { cwd: options.cwd, env: {} };
  const into = findDataDir(dir, env);
  const from = findDataDir(source, env);
  for (const found of [into, from]) {
    if (!layoutNamed(found.layout).mergesRows) throw new FsckError(`merge plans Trackio SQLite data dirs; ${found.dataDir} is a ${found.layout} one`, EXIT.usage);
  }
  const [dirA, dirB] = await Promise.all([realpath(into.dataDir), realpath(from.dataDir)]);
  const errors: CompareError[] = [];
  const byProject = new Map<string, ProjectMerge>();
  const projectOf = (project: string): ProjectMerge => {
    let p = byProject.get(project);
    if (!p) byProject.set(project, (p = { project, newProject: false, rows: {}, files: [], conflictingFiles: [] }));
    return p;
  };
  const { projects } = await compareDatabases(dirA, dirB, errors, {
    maxListed: Number.POSITIVE_INFINITY,
    onRow: (project, table, e) => {
      if (e.kind === 'only-in-a') return;
      const rows = (projectOf(project).rows[table] ??= { bring: [], conflicts: [] });
      if (e.kind === 'only-in-b') rows.bring.push(e.rowIdB!);
      else rows.conflicts.push({ run: e.run, at: e.at, ...(e.rowIdA !== undefined && { rowIdDir: e.rowIdA }), ...(e.rowIdB !== undefined && { rowIdSource: e.rowIdB }) });
    },
  });
  for (const p of projects) {
    const plan = projectOf(p.project);
    plan.newProject = p.presence === 'only-in-b';
    for (const f of [...p.media.listed, ...p.artifacts.listed]) {
      if (f.b && !f.a) plan.files.push(f.path);
      else if (f.a && f.b) plan.conflictingFiles.push(f);
    }
  }
  const list = [...byProject.values()].filter((p) => p.newProject || p.files.length > 0 || p.conflictingFiles.length > 0 || Object.keys(p.rows).length > 0);
  for (const p of list) for (const r of Object.values(p.rows)) r.bring.sort((x, y) => x - y);
  const total = (f: (p: ProjectMerge) => number) => list.reduce((n, p) => n + f(p), 0);
  return {
    dir: into.dataDir,
    source: from.dataDir,
    projects: list.sort((a, b) => (a.project < b.project ? -1 : a.project > b.project ? 1 : 0)),
    rows: total((p) => Object.values(p.rows).reduce((n, r) => n + r.bring.length, 0)),
    conflicts: total((p) => Object.values(p.rows).reduce((n, r) => n + r.conflicts.length, 0) + p.conflictingFiles.length),
    files: total((p) => p.files.length),
    errors,
  };
}
