import { realpath } from 'node:fs/promises';
import { FsckError } from '../errors.js';
import { findDataDir } from '../layouts/findDataDir.js';
import { layoutNamed } from '../layouts/index.js';
import { EXIT } from '../report.js';
import type { CompareError } from './CompareResult.js';
import { planDatabaseRows, type ProjectMerge } from './planDatabaseRows.js';

export type { MergeConflict, ProjectMerge } from './planDatabaseRows.js';

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
  const list = await planDatabaseRows(dirA, dirB, errors);
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
