import type { LayoutName as Layout } from '../layouts/LayoutName.js';

/** Which of the two data dirs: `a` is the first argument, `b` the second. */
export type Side = 'a' | 'b';

/** Rows of one table (or lines of one metrics.jsonl) that the two sides do not share. */
export interface RowDiff {
  onlyInA: number;
  onlyInB: number;
  /** Rows matched by identity (log_id, or run and step) whose content differs: counted once, not as one only-in each side. */
  differ: number;
}

/** One differing row, for people to look at; a few per run and table, never all of them. */
export interface RowExample {
  kind: 'only-in-a' | 'only-in-b' | 'differ';
  table: string;
  /** The step (metrics, traces), timestamp (system metrics, alerts) or line's step (metrics.jsonl). */
  at: number | string | null;
  rowIdA?: number;
  rowIdB?: number;
  /** 1-based line numbers, for metrics.jsonl. */
  lineA?: number;
  lineB?: number;
  logId?: string;
  /** A registry row's identity for people (artifact name, `name vN (digest)`, `name:alias -> ...`, a metadata key). */
  key?: string;
}

/** What one side holds of a run's metrics. */
export interface SideRun {
  rows: number;
  maxStep: number | null;
}

export type DocumentState = 'equal' | 'differ' | 'only-in-a' | 'only-in-b';

export interface RunComparison {
  /** The project (Trackio SQLite layout); null in the run-directory layout. */
  project: string | null;
  run: string;
  /** Metrics rows and highest step on each side; null where the side has no metrics for the run. */
  a: SideRun | null;
  b: SideRun | null;
  metrics: RowDiff;
  config: DocumentState;
  /** Run-directory layout: summary.json. */
  summary?: DocumentState;
  /** Trackio SQLite layout: the other per-run tables (system_metrics, alerts, traces). */
  tables?: Record<string, RowDiff>;
  /** Run-directory layout: artifacts/, logs/ and every other file of the run. */
  files?: FileDiff;
  examples: RowExample[];
  equal: boolean;
}

export interface FileEntry {
  path: string;
  a?: { size: number; sha256?: string };
  b?: { size: number; sha256?: string };
}

/** Files compared by path, then size, then SHA-256. */
export interface FileDiff {
  same: number;
  onlyInA: number;
  onlyInB: number;
  differ: number;
  /** The first few differences, by path. */
  listed: FileEntry[];
}

export interface TableCounts extends RowDiff {
  a: number;
  b: number;
}

export interface ProjectComparison {
  project: string;
  presence: 'both' | 'only-in-a' | 'only-in-b';
  /** Rows per table on each side and the rows they do not share. */
  tables: Record<string, TableCounts>;
  /** media/<project>/… */
  media: FileDiff;
  /** artifacts/<project>/… (content-addressed blobs). */
  artifacts: FileDiff;
  /** A few rows of the artifact registry and project_metadata not shared (their tables are counted in `tables`). */
  examples?: RowExample[];
  equal: boolean;
}

/** What `compare` could not read: the comparison is incomplete (exit 8). */
export interface CompareError {
  /** null: the comparison itself failed part way (a damaged page on either side). */
  side: Side | null;
  path: string;
  message: string;
}

/** The document `compare --json` prints. */
export interface CompareResult {
  tool: string;
  version: string;
  command: 'compare';
  layout: Layout;
  a: string;
  b: string;
  equal: boolean;
  /** Trackio SQLite layout: one per <project>.db on either side. */
  projects: ProjectComparison[];
  /** Every run on either side, in name order (project, then run). */
  runs: RunComparison[];
  /** Files outside projects and runs (inbox/ fragments; run-directory: files beside runs). */
  files: FileDiff;
  errors: CompareError[];
  /** At most five lines a person reads first. */
  summary: string[];
  exitCode: number;
  durationMs: number;
}
