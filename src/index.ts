// The engine, importable as a library: `import { check } from 'trackio-fsck'`.
export { check, DEFAULT_LIVE_WINDOW_MS, type CheckOptions, type CheckEvent, type CheckResult } from './engine/check.js';
export { findDataDir, type DataDir, type Layout } from './engine/layout/findDataDir.js';
export { CODES, codeInfo, type CodeInfo, type FindingCode } from './engine/codes.js';
export type { Finding, FileRecord, Fix, FixAction, Severity } from './engine/finding.js';
export { EXIT, type Report, type Summary } from './engine/report.js';
export { JsonlScanner, type JsonlScannerOptions, type JsonlSummary } from './engine/kinds/JsonlScanner.js';
export { FsckError } from './engine/errors.js';
export { TOOL, VERSION } from './engine/version.js';
export { writeManifest, type ManifestInput, type WriteManifestOptions, type WrittenManifest } from './engine/manifest/writeManifest.js';
export { readManifest, type ManifestState, type ManifestEntry, type RecordEntry, type RecordFile } from './engine/manifest/readManifest.js';
export { verifyManifest, type VerifyOptions, type VerifyEvent, type VerifyResult } from './engine/manifest/verifyManifest.js';
export { recordManifest, type RecordOptions, type RecordResult, type ManifestChanges } from './engine/manifest/recordManifest.js';
export { unchangedFiles, type UnchangedSplit } from './engine/manifest/unchangedFiles.js';
export { manifestPaths, MANIFEST_NAME, RECORD_NAME, STATE_DIR } from './engine/manifest/manifestPaths.js';
export { formatSha256sumLine, parseSha256sumLine } from './engine/manifest/sha256sumLine.js';
