import type { FileRecord, Finding, FixAction } from '../finding.js';
import type { Report } from '../report.js';
import type { MergeSource } from '../merge/MergeSource.js';

/** Identity of a file's content: what a step expects to find before it runs and leaves after. */
export interface FileImage {
  sha256: string;
  size: number;
}

/**
 * A byte-level change to one file, in the coordinates of the file as the plan saw it:
 * `cut` drops [start, end) (kept in the backup), `quarantine` moves it to a quarantine file,
 * `strip-nul` drops the NUL bytes in [start, end) (and the line's newline when nothing else is left),
 * `insert` adds `text` at `start`.
 */
export interface Edit {
  kind: 'cut' | 'quarantine' | 'strip-nul' | 'insert';
  start: number;
  end: number;
  /** 1-based line the edit belongs to. */
  line?: number;
  text?: string;
}

/** A verified file from outside the data dir that a step copies in (restore-from-backup, issue 5). */
export interface SourceFile extends FileImage {
  /** Absolute path of the verified copy. */
  path: string;
  /** Where it comes from, for people ("backup 2026-01-01T10-00-00Z"). */
  label: string;
}

/** One fix the user can accept or decline: a fix action on one file (or run) and the findings it mends. */
export interface PlanStep {
  /** 1-based, in the order shown. */
  id: number;
  action: FixAction;
  safe: boolean;
  run: string | null;
  /** The file (or, for quarantine-run, the run directory) relative to the data dir. */
  path: string;
  /** What the step does, for people. */
  description: string;
  findings: Finding[];
  /** Byte-level changes (rewrites only), in the coordinates of `pre`. */
  edits: Edit[];
  /** The file as the plan read it; null for a run directory. */
  pre: FileImage | null;
  /** restore-from-backup: the copy put in place; salvage-database: the snapshot copy rows the salvage cannot read are taken from. */
  source?: SourceFile;
  /** quarantine-rows and salvage-database: the database's -wal/-shm/-journal as the plan found them (they travel with it). */
  sidecars?: Array<{ path: string } & FileImage>;
  /** merge: what is taken from the other copy (its rows, or its file kept in quarantine). */
  merge?: MergeSource;
  /** merge-file: the files copied in from the other copy (`merge.from`), all below `path`, a folder. */
  copies?: Array<{ path: string } & FileImage>;
  /** merge-file: the folders the copies create, outermost first (undo removes them again when empty). */
  newDirs?: string[];
}

/** A problem repair leaves alone, and why. */
export interface LeftFinding {
  finding: Finding;
  reason: string;
}

export interface RepairPlan {
  dataDir: string;
  layout: string;
  steps: PlanStep[];
  left: LeftFinding[];
  /** Runs a writer is using right now: not touched without --force. */
  liveRuns: string[];
  /** Per live run, what was seen (liveEvidenceText): the message says it, so a crash is not taken for a writer. */
  liveWhy?: Record<string, string>;
  /** The check the plan was made from. */
  check: Report;
}

/**
 * Issue 5's hook: a provider may offer its own step for a finding (typically restore-from-backup
 * with a verified copy), replacing the built-in fix of that file. Return undefined to leave the
 * finding to repair. `record` is what the check read of the finding's file (absent when it could not
 * read it or the file is gone); `findings` are all the problems found on that file, of which the
 * step may mend several (those it lists are not offered to providers again).
 */
export type FixProvider = (finding: Finding, ctx: { dataDir: string; record?: FileRecord; findings?: Finding[] }) => Promise<Omit<PlanStep, 'id'> | undefined>;

/** Findings that still need attention: every error, and every warning repair knows how to mend. */
export function isProblem(f: Finding): boolean {
  return f.severity === 'error' || (f.fix !== undefined && f.fix.action !== 'none');
}
