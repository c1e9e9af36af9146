import type { FileRecord, Finding } from '../finding.js';
import type { RecordEntry } from './RecordEntry.js';

/** The record of a file --fast trusts, as if it had been read; its recorded findings are reported again. */
export function trustedFileRecord(rel: string, run: string, rec: RecordEntry, emit: (f: Finding) => void): FileRecord {
  for (const f of rec.findings ?? []) emit(f);
  const record: FileRecord = { path: rel, run, size: rec.size, sha256: rec.sha256, mtimeMs: rec.mtimeMs, ino: rec.ino, trusted: true };
  if (rec.lines !== undefined) record.lines = rec.lines;
  if (rec.findings) record.findings = rec.findings;
  return record;
}
