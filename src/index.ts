// The engine, importable as a library: `import { check } from 'trackio-fsck'`.
export { check, DEFAULT_LIVE_WINDOW_MS, type CheckOptions, type CheckEvent, type CheckResult } from './engine/check.js';
export { findDataDir, type DataDir, type Layout } from './engine/layout/findDataDir.js';
export { CODES, codeInfo, type CodeInfo, type FindingCode } from './engine/codes.js';
export type { Finding, FileRecord, Fix, FixAction, Severity } from './engine/finding.js';
export { EXIT, type Report, type Summary } from './engine/report.js';
export { JsonlScanner, type JsonlScannerOptions, type JsonlSummary } from './engine/kinds/JsonlScanner.js';
export { FsckError } from './engine/errors.js';
export { TOOL, VERSION } from './engine/version.js';
export { backup, type BackupOptions, type BackupEvent, type BackupResult, type BackupSummary } from './engine/backup/backup.js';
export { listSnapshots, type BackupsListing, type SnapshotListing } from './engine/backup/listSnapshots.js';
export { verifySnapshot, type SnapshotVerification } from './engine/backup/verifySnapshot.js';
export { verifyBackups, type BackupsVerification } from './engine/backup/verifyBackups.js';
export { pruneSnapshots, type PruneResult, type PrunedEntry } from './engine/backup/pruneSnapshots.js';
export { planRestore, applyRestore, type RestorePlan, type RestoreResult } from './engine/backup/restore.js';
export { findVerifiedCopy, type VerifiedCopy } from './engine/backup/findVerifiedCopy.js';
export { diskUsage, type DiskUsage, type RunUsage } from './engine/du/diskUsage.js';
