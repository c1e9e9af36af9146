import type { CheckEvent, CheckOptions, CheckResult } from '../CheckOptions.js';
import type { CompareError, CompareResult } from '../compare/CompareResult.js';
import type { FileRecord, Finding, FixAction } from '../finding.js';
import type { LeftFinding, PlanStep } from '../repair/RepairPlan.js';
import type { OpKind } from '../repair/ops/OpKind.js';
import type { MergeDraft } from '../merge/MergeDraft.js';

import type { LayoutName } from './LayoutName.js';

export type { LayoutName };

/** How a snapshot treats one file of the data dir: its bytes, a consistent database copy, or not at all. */
export type SnapshotRole = 'file' | 'database' | 'leave-out';

/** A data dir as found: where it is, which layout reads it, and how it was found (for messages). */
export interface DataDir {
  /** Absolute path of the data dir. */
  dataDir: string;
  layout: LayoutName;
  foundBy: 'argument' | 'TRACKIO_DIR' | 'search' | 'HF_HOME' | 'home';
}

/** Disk usage of one unit (a run, or a project), split by the parts the layout knows. */
export interface UnitUsage {
  unit: string;
  bytes: number;
  parts: Record<string, number>;
}

/** A staged file placed by a layout: the data dir and unit it belongs to, or a unit deleted in this commit. */
export type StagedPlace = { dataDir: string; unit: string; rel: string } | { gone: true };

/** Context a layout's repair planner gets: what the check read, where the data dir really is. */
export interface PlanContext {
  realDataDir: string;
  records: ReadonlyMap<string, FileRecord>;
  /** Where `backup` keeps snapshots (repair): a salvage takes rows it cannot read from a verified one. */
  backupsDir?: string;
}

export type StepDraft = Omit<PlanStep, 'id'>;

/**
 * One storage layout: the verbs every command needs, so no command asks which layout it has.
 * A layout object is cheap to load; its heavy parts (SQLite, the parallel scanner) are loaded by
 * the verbs that use them.
 */
export interface Layout {
  readonly name: LayoutName;
  /** What one unit is called in messages and options: a run, or a project. */
  readonly unitNoun: 'run' | 'project';
  /** The data dir of this layout in `dir` (the folder itself, or one below it such as .trackio/), if any. */
  locate(dir: string): string | undefined;
  /** Places this layout's data lives when nothing names one ($HF_HOME/trackio, ...), in search order. */
  homes(env: NodeJS.ProcessEnv, cwd: string): Array<{ dir: string; foundBy: DataDir['foundBy']; label: string }>;
  /** Stricter than `locate`: `dir` really holds data of this layout (restore moves only such a folder aside). */
  holdsData(dir: string): Promise<boolean>;
  /** The unit a path of the data dir belongs to ('/'-separated, relative), or undefined. */
  unitOf(rel: string): string | undefined;
  /** Why repair leaves a finding of a live unit alone, for people. */
  liveReason(unit: string): string;
  /** Where one unit lives in the data dir: a folder (a run) or a file (a project's database). */
  unitRoot(unit: string): { rel: string; isFile: boolean };
  /** The paths that make up a unit's state and move together (a database and its -wal/-shm/-journal). */
  unitFamily(realDataDir: string, unit: string): Promise<string[]>;
  /** Throws (exit 8, saying what was seen) when a writer may be using the unit; restore --run asks before it swaps one. */
  refuseLiveUnit(realDataDir: string, unit: string, liveWindowMs: number): Promise<void>;
  /** Units a writer holds right now, with what showed it. */
  liveUnits(realDataDir: string): Promise<Array<{ unit: string; reasons: string[] }>>;
  /** check: every file of every unit, read-only, once. */
  scan(found: DataDir, options: CheckOptions, onEvent?: (e: CheckEvent) => void): Promise<CheckResult>;
  /** Fix actions this layout plans itself (line edits of its files, database rebuilds); the rest are generic. */
  ownsFix(action: FixAction, finding: Finding): boolean;
  /** Plan steps for the findings on one path whose fixes this layout owns. */
  planFixes(ctx: PlanContext, path: string, findings: Finding[]): Promise<{ steps: StepDraft[]; left: LeftFinding[] }>;
  /** Repair op kinds this layout brings besides the generic ones, loaded on first use. */
  readonly opKinds: Readonly<Record<string, () => Promise<OpKind>>>;
  /** backup: how each file of the walk is copied. */
  snapshotRoles(rels: readonly string[]): Map<string, SnapshotRole>;
  /** backup of a 'database' file: a consistent, verified copy at `dst`. */
  copyDatabase(src: string, dst: string): Promise<{ sha256: string; size: number }>;
  /** manifest write: record what the byte manifest cannot (a database's rows); returns how many. */
  writeRecords(realDataDir: string, result: CheckResult, now?: Date): Promise<number>;
  /** manifest verify: check those records; false when there are none. */
  verifyRecords(realDataDir: string, emit: (f: Finding) => void): Promise<boolean>;
  /** du: bytes per unit; `skip` (BACKUPS inside the data dir) is not counted. */
  diskUsage(realDataDir: string, skip?: string): Promise<UnitUsage[]>;
  /** compare: per unit, what only one side has or what differs (both dirs real paths, read-only). */
  compare(dirA: string, dirB: string, errors: CompareError[]): Promise<Pick<CompareResult, 'projects' | 'runs' | 'files'>>;
  /** merge: whether rows can be brought from another copy of this layout's data (planMerge). */
  readonly mergesRows: boolean;
  /** merge: the steps that bring into DIR what B has and DIR lacks, and the conflicts (both real paths; B is only read). */
  planMerge(dirInto: string, dirFrom: string, errors: CompareError[]): Promise<MergeDraft>;
  /** hook: the data dir and unit a staged file (absolute path) belongs to, if this layout claims it. */
  placeStaged(abs: string, env: NodeJS.ProcessEnv, cwd: string): StagedPlace | undefined;
}
