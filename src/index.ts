// The engine, importable as a library: `import { check } from 'trackio-fsck'`.
export { check, DEFAULT_LIVE_WINDOW_MS, type CheckOptions, type CheckEvent, type CheckResult } from './engine/check.js';
export { findDataDir, type DataDir, type Layout } from './engine/layout/findDataDir.js';
export { CODES, codeInfo, type CodeInfo, type FindingCode } from './engine/codes.js';
export type { Finding, FileRecord, Fix, FixAction, Severity } from './engine/finding.js';
export { EXIT, type Report, type Summary } from './engine/report.js';
export { JsonlScanner, type JsonlScannerOptions, type JsonlSummary } from './engine/kinds/JsonlScanner.js';
export { FsckError } from './engine/errors.js';
export { TOOL, VERSION } from './engine/version.js';
// Real Trackio (SQLite): primitives for check, backup and repair of <project>.db files.
export { checkDatabase, type DatabaseCheckResult } from './engine/sqlite/checkDatabase.js';
export { isProjectLive, projectLiveness, type Liveness } from './engine/sqlite/isProjectLive.js';
export { backupDatabase, type BackupResult as DatabaseBackupResult } from './engine/sqlite/backupDatabase.js';
export { quarantineInvalidJsonRows, type QuarantinedRows } from './engine/sqlite/quarantineInvalidJsonRows.js';
export { salvageDatabase, type SalvageResult, type SalvagedTable } from './engine/sqlite/salvageDatabase.js';
export { salvagePages, type PageSalvageResult } from './engine/layouts/trackioSqlite/salvage/salvagePages.js';
export { databaseDigest, type DatabaseDigest, type TableDigest } from './engine/sqlite/databaseDigest.js';
export { openReadOnly, type ReadOnlyDatabase } from './engine/sqlite/openReadOnly.js';
export { loadSqlite } from './engine/sqlite/loadSqlite.js';
export { manifestDigest } from './engine/sqlite/manifestDigest.js';

export { runHook, type HookOptions, type HookResult, type HookDataDir } from './engine/hook/runHook.js';
export { mapFilesToRuns, type FileMapping, type RunTarget } from './engine/hook/mapFilesToRuns.js';
export { installHook, uninstallHook, type InstallOptions, type InstallResult, type UninstallResult } from './engine/hook/installHook.js';

export {
  planRepair,
  planFromCheck,
  applyPlan,
  resumeRepair,
  undoRepair,
  verifyRepair,
  listJournals,
  unfinishedJournal,
  journalPath,
  isProblem,
  STATE_DIR,
  QUARANTINE_DIR,
  BAD_LINES_SUFFIX,
  WHY_SUFFIX,
  type PlanOptions,
  type ApplyOptions,
  type RepairEvent,
  type RepairOutcome,
  type UndoOptions,
  type UndoOutcome,
  type Verification,
  type Journal,
  type JournalOp,
  type RepairPlan,
  type PlanStep,
  type Edit,
  type FileImage,
  type FixProvider,
  type SourceFile,
} from './engine/repair/index.js';

export { backup, type BackupOptions, type BackupEvent, type BackupResult, type BackupSummary } from './engine/backup/backup.js';
export { listSnapshots, type BackupsListing, type SnapshotListing } from './engine/backup/listSnapshots.js';
export { verifySnapshot, type SnapshotVerification } from './engine/backup/verifySnapshot.js';
export { verifyBackups, type BackupsVerification } from './engine/backup/verifyBackups.js';
export { pruneSnapshots, type PruneResult, type PrunedEntry } from './engine/backup/pruneSnapshots.js';
export { planRestore, applyRestore, type RestorePlan, type RestoreResult } from './engine/backup/restore.js';
export { findVerifiedCopy, type VerifiedCopy } from './engine/backup/findVerifiedCopy.js';
export { diskUsage, type DiskUsage, type RunUsage } from './engine/du/diskUsage.js';

export { writeManifest, type ManifestInput, type WriteManifestOptions, type WrittenManifest } from './engine/manifest/writeManifest.js';
export { readManifest, type ManifestState, type ManifestEntry, type RecordEntry, type RecordFile } from './engine/manifest/readManifest.js';
export { verifyManifest, type VerifyOptions, type VerifyEvent, type VerifyResult } from './engine/manifest/verifyManifest.js';
export { recordManifest, type RecordOptions, type RecordResult, type ManifestChanges } from './engine/manifest/recordManifest.js';
export { unchangedFiles, type UnchangedSplit } from './engine/manifest/unchangedFiles.js';
export { manifestPaths, MANIFEST_NAME, RECORD_NAME } from './engine/manifest/manifestPaths.js';
export { formatSha256sumLine, parseSha256sumLine } from './engine/manifest/sha256sumLine.js';
export { restoreFromBackup } from './engine/repair/restoreFromBackup.js';
