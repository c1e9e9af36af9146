// The engine, importable as a library: `import { check } from 'trackio-fsck'`.
export { check, DEFAULT_LIVE_WINDOW_MS, type CheckOptions, type CheckEvent, type CheckResult } from './engine/check.js';
export { findDataDir, type DataDir, type Layout } from './engine/layout/findDataDir.js';
export { CODES, codeInfo, type CodeInfo, type FindingCode } from './engine/codes.js';
export type { Finding, FileRecord, Fix, FixAction, Severity } from './engine/finding.js';
export { EXIT, type Report, type Summary } from './engine/report.js';
export { JsonlScanner, type JsonlScannerOptions, type JsonlSummary } from './engine/kinds/JsonlScanner.js';
export { FsckError } from './engine/errors.js';
export { TOOL, VERSION } from './engine/version.js';
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
