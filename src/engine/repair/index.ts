// repair's public surface: plan (read-only), apply or resume (with backup and journal), verify, undo.
export { repair, type RepairMode, type RepairOptions, type RepairSessionOutcome, type RepairSessionEvent, type Choice } from './repair.js';
export { planRepair, planFromCheck, type PlanOptions } from './planRepair.js';
export { applyPlan, resumeRepair, type ApplyOptions, type RepairEvent, type RepairOutcome } from './applyRepair.js';
export { undoRepair, type UndoOptions, type UndoOutcome } from './undoRepair.js';
export { verifyRepair, type Verification } from './verifyRepair.js';
export { listJournals, unfinishedJournal, journalPath, type Journal, type JournalOp, type JournalStatus, type BackedUpFile } from './Journal.js';
export { isProblem, type RepairPlan, type PlanStep, type Edit, type FileImage, type FixProvider, type LeftFinding, type SourceFile } from './RepairPlan.js';
export { STATE_DIR, QUARANTINE_DIR } from './stateDir.js';
export { BAD_LINES_SUFFIX, WHY_SUFFIX } from './buildOps.js';
export { restoreFromBackup } from './restoreFromBackup.js';
