import type { CompareError, FileEntry } from './CompareResult.js';
import { compareDatabases } from './compareDatabases.js';

/** A row of B that differs from a row of DIR at the same identity, or the same run and place: never overwritten. */
export interface MergeConflict {
  run: string;
  at: unknown;
  /** The row of DIR (absent when DIR's row is not identified, as in a surplus pairing). */
  rowIdDir?: number;
  rowIdSource?: number;
  /** A row DIR lacks that cannot come in (an alias whose version does not come in, ...); absent for a row that differs. */
  why?: string;
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

/**
 * Per project, what B (dirB) has that A (dirA) lacks, matched as compare matches rows (so no row is
 * ever brought twice), and what conflicts: both real paths, read as compare reads them.
 */
export async function planDatabaseRows(dirA: string, dirB: string, errors: CompareError[]): Promise<ProjectMerge[]> {
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
      if (e.kind === 'only-in-b' && !e.held) rows.bring.push(e.rowIdB!);
      else if (e.held) rows.conflicts.push({ run: e.run, at: e.at, rowIdSource: e.rowIdB!, why: e.held });
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
  return list.sort((a, b) => (a.project < b.project ? -1 : a.project > b.project ? 1 : 0));
}
