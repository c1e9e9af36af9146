import type { FileRecord, Finding } from './finding.js';
import type { DatabaseCheckResult } from './layouts/trackioSqlite/checkDatabase.js';
import type { DirListing } from './layouts/runDirectory/listRunFiles.js';
import type { ManifestState } from './manifest/readManifest.js';
import type { ManifestStream } from './manifest/ManifestStream.js';
import type { Report } from './report.js';

export interface CheckOptions {
  /** Limit the scan to these units: run ids, or project names in Trackio's layout. */
  runs?: string[];
  /** Warnings count as errors for the exit code. */
  strict?: boolean;
  /** A run without summary.json modified this recently is live (default 60 000 ms; 0 turns it off). */
  liveWindowMs?: number;
  /** Files read at once (I/O overlap across small files). */
  concurrency?: number;
  /** Where to search when no data dir is given. */
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** SQLite databases: PRAGMA integrity_check instead of the faster quick_check. */
  full?: boolean;
  /**
   * Verify against DIR/manifest-sha256.txt when one exists (default). false ignores it; a
   * ManifestState (from readManifest) is used as given; a ManifestStream (from openManifestStream) is
   * read beside the walk and left open for the caller.
   */
  manifest?: boolean | ManifestState | ManifestStream;
  /** Trust files whose size, mtime and inode match the manifest's record: they are not opened. */
  fast?: boolean;
  /** With `fast`: paths (relative to the data dir) read whatever their stat says, e.g. the files a commit stages. */
  mustRead?: ReadonlySet<string>;
  /**
   * Keep every file's record in CheckResult.files (default true). false leaves `files` empty, so
   * memory stays flat at any number of files (what `check` itself needs); `onFile` still sees each.
   */
  keepFiles?: boolean;
  /** Keep the directory listings of the walk in CheckResult.dirs (default true; only `manifest write` needs them). */
  keepDirs?: boolean;
  /**
   * Each file's record once its run is done, in path order (run-directory layout: windows of runs
   * are listed, read and dropped in turn, so a caller can stream them, e.g. into a manifest).
   */
  onFile?: (record: FileRecord) => void;
  /** Each directory listing a later check --fast may reuse, once its window of runs is done (run-directory layout; any order). */
  onDir?: (relDir: string, listing: DirListing) => void;
}

export type CheckEvent =
  /**
   * `files` and `bytes` are exact when every unit is listed before reading starts; for a data dir
   * of many runs (read in windows so memory stays flat) they are extrapolated from the first window
   * and `estimated` is true: the `file` events say what is really read.
   */
  | { type: 'start'; dataDir: string; runs: number; files: number; bytes: number; estimated?: boolean }
  | { type: 'file'; path: string; bytes: number }
  | { type: 'finding'; finding: Finding };

export interface CheckResult {
  report: Report;
  /** Size and SHA-256 of every file read: what a manifest records. */
  files: FileRecord[];
  /** Per unit (run, or project in Trackio's layout): was it live during the check. */
  runs: Array<{ run: string; live: boolean; liveWhy?: string }>;
  /** Trackio SQLite layout: per project database, what was read and whether it was live. */
  databases?: Array<DatabaseCheckResult & { live: boolean }>;
  /** Directory listings of the walk that a manifest may record, so check --fast can skip their readdir. */
  dirs?: Map<string, DirListing>;
  /** check --fast: how many files were taken from the manifest's record unread (also with keepFiles false). */
  trusted?: number;
}
