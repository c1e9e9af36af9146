// trackio-fsck as a library: the verbs every command runs, their options and results, the finding
// codes and exit codes. `import { check, repair, backup } from 'trackio-fsck'`. Everything else in
// src/engine is internal and may change between versions.

// check
export { check, DEFAULT_LIVE_WINDOW_MS, type CheckOptions, type CheckEvent, type CheckResult } from './engine/check.js';
export { findDataDir, type DataDir } from './engine/layouts/findDataDir.js';
export type { LayoutName } from './engine/layouts/Layout.js';

// findings, codes, reports, exit codes
export { CODES, codeInfo, type CodeInfo, type FindingCode } from './engine/codes.js';
export type { Finding, FileRecord, Fix, FixAction, Severity } from './engine/finding.js';
export { type Report, type Summary } from './engine/report.js';
export { EXIT, exitCodeFor, type Outcome } from './engine/exitCodeFor.js';
export { FsckError } from './engine/errors.js';
export { TOOL, VERSION } from './engine/version.js';

// repair, recover, undo
export {
  repair,
  planRepair,
  undoRepair,
  type RepairMode,
  type RepairOptions,
  type RepairSessionOutcome,
  type RepairSessionEvent,
  type Choice,
  type PlanOptions,
  type RepairPlan,
  type PlanStep,
  type LeftFinding,
  type UndoOptions,
  type UndoOutcome,
  type Verification,
  type Journal,
} from './engine/repair/index.js';

// manifests
export { recordManifest, type RecordOptions, type RecordResult, type ManifestChanges } from './engine/manifest/recordManifest.js';
export { verifyManifest, type VerifyOptions, type VerifyEvent, type VerifyResult } from './engine/manifest/verifyManifest.js';
export { readManifest, type ManifestState, type ManifestEntry } from './engine/manifest/readManifest.js';
export { MANIFEST_NAME, RECORD_NAME } from './engine/manifest/manifestPaths.js';

// backups
export { backup, type BackupOptions, type BackupEvent, type BackupResult, type BackupSummary } from './engine/backup/backup.js';
export { listSnapshots, type BackupsListing, type SnapshotListing } from './engine/backup/listSnapshots.js';
export { verifySnapshot, type SnapshotVerification } from './engine/backup/verifySnapshot.js';
export { verifyBackups, type BackupsVerification } from './engine/backup/verifyBackups.js';
export { pruneSnapshots, type PruneResult, type PrunedEntry } from './engine/backup/pruneSnapshots.js';
export { planRestore, applyRestore, type RestorePlan, type RestoreResult } from './engine/backup/restore.js';
export { restoreRun, type RestoreRunOptions, type RestoreRunResult } from './engine/backup/restoreRun.js';
export { diffSnapshots, type SnapshotDiff } from './engine/backup/diffSnapshots.js';
export { selectKept, describePolicy, type RetentionPolicy } from './engine/backup/retentionPolicy.js';
export { resolveBackupsDir, BACKUPS_ENV } from './engine/backup/resolveBackupsDir.js';

// disk usage, the pre-commit hook
export { diskUsage, type DiskUsage, type RunUsage, type ProjectUsage } from './engine/du/diskUsage.js';
export { runHook, type HookOptions, type HookResult, type HookDataDir } from './engine/hook/runHook.js';
export { installHook, uninstallHook, type InstallOptions, type InstallResult, type UninstallResult } from './engine/hook/installHook.js';

// comparing a data dir with its off-site copy
export { compare, type CompareOptions } from './engine/compare/compare.js';
export type { CompareResult, RunComparison, ProjectComparison, FileDiff, RowDiff } from './engine/compare/CompareResult.js';
export { planMerge, type MergePlan } from './engine/compare/planMerge.js';
export { merge, type MergeOptions, type MergeOutcome, type MergePlanned, type MergeMode, type MergeEvent } from './engine/merge/merge.js';
export type { MergeConflict as MergeConflictItem } from './engine/merge/MergeDraft.js';
