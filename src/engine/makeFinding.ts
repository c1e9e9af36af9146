import { codeInfo, type FindingCode } from './codes.js';
import type { ArgsOf, Finding, Fix, FixAction } from './finding.js';

const FIX_TEXT: Record<FixAction, string> = {
  'trim-last-line': 'cut the file back to the end of its last complete line (the cut bytes are kept in the pre-repair backup)',
  'append-final-newline': 'append the missing newline',
  'strip-nul-bytes': 'remove the NUL bytes and keep the records around them',
  'quarantine-lines': 'move the bad lines to quarantine (with their line numbers and offsets) and keep the rest',
  'quarantine-file': 'move the file to quarantine/, where it can be inspected and restored',
  'quarantine-run': 'move the whole run to quarantine/, where it can be inspected and restored',
  'restore-from-backup': 'replace the file with the verified copy from the newest matching backup',
  none: 'nothing to repair',
  'quarantine-rows': 'write the bad rows (table, id, every column) to quarantine as JSONL, then delete them in one transaction',
  'salvage-database': 'copy every readable row into a fresh database with the same schema; the original goes to quarantine',
  'reindex-database': 'rebuild the indexes from the tables (REINDEX) in a fresh copy of the database, which replaces it; no row changes',
  'quarantine-duplicate-rows': 'write the second copies of the rows (table, id, every column) to quarantine as JSONL, then delete them in one transaction; the row with the log_id stays',
  'rewrite-nonfinite-cells': 'quote each bare NaN/Infinity token into the string Trackio reads ("NaN"), every other byte of the cell unchanged, in a fresh copy of the database, which replaces it',
  'merge-rows': "insert the other copy's rows this one lacks into a fresh copy of the database (or append its records), which replaces it",
  'merge-file': "copy in the other copy's file, verified by SHA-256",
  'keep-theirs': "keep the other copy's differing version in quarantine; this one is left as it is",
};

/** Fixes that lose no information: the removed bytes carry none (NULs, a torn tail kept in the backup, a second copy of a row) or move intact. */
const SAFE: ReadonlySet<FixAction> = new Set(['trim-last-line', 'append-final-newline', 'strip-nul-bytes', 'reindex-database', 'quarantine-duplicate-rows']);

export function describeFix(action: FixAction, safe = SAFE.has(action)): Fix {
  return { action, safe, description: FIX_TEXT[action] };
}

export interface Location {
  run: string | null;
  path: string;
  line?: number;
  offset?: number;
  table?: string;
  rowId?: number;
}

/** Builds a finding with the severity and usual fix its code is documented with. */
export function makeFinding<C extends FindingCode>(
  code: C,
  where: Location,
  message: string,
  fix?: { action: FixAction; safe?: boolean },
  args?: ArgsOf<C>,
): Finding<C> {
  const info = codeInfo(code)!;
  const action = fix?.action ?? info.fix;
  // Key order is the order people read in --json output.
  const finding: Finding<C> = { code, severity: info.severity, run: where.run, path: where.path, message };
  if (where.line !== undefined) finding.line = where.line;
  if (where.offset !== undefined) finding.offset = where.offset;
  if (where.table !== undefined) finding.table = where.table;
  if (where.rowId !== undefined) finding.rowId = where.rowId;
  if (action !== 'none') finding.fix = describeFix(action, fix?.safe);
  if (args !== undefined) finding.args = args;
  return finding;
}
