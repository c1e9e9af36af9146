import { posix } from 'node:path';

// Every name trackio-fsck gives its own files and folders, in one place: what counts as the tool's
// own (and may be ignored, cleaned up or refused in a journal) is decided here and nowhere else.

/** trackio-fsck's own folder in the data dir (manifest record, lock, repair journals and backups); outside runs/, so check never scans it. */
export const STATE_DIR = '.trackio-fsck';
/** Where quarantined items go, one folder per repair; outside runs/, so the dashboard no longer sees them. */
export const QUARANTINE_DIR = 'quarantine';
/** Prefix of the temp files writeFileAtomic and repair write beside the file they replace. */
export const TEMP_PREFIX = '.trackio-fsck-tmp-';
/** Infix of copyFileVerified's temp files: `<dst>.trackio-fsck-copy-<pid>`. */
export const COPY_TEMP_INFIX = '.trackio-fsck-copy-';
/** Suffix of the file that receives a JSONL file's quarantined lines, beside its record of why. */
export const BAD_LINES_SUFFIX = '.bad-lines';
export const WHY_SUFFIX = '.why.json';

/** The temp name a repair writes beside `rel` (relative, '/'-separated) before renaming it over `rel`. */
export function ownTempBeside(rel: string, repairId: string): string {
  const dir = posix.dirname(rel);
  return `${dir === '.' ? '' : `${dir}/`}${TEMP_PREFIX}${posix.basename(rel)}-${repairId}`;
}

/** A file name trackio-fsck itself writes as a temp (its own leftovers, never a user's file). */
export function isOwnTempName(name: string): boolean {
  return name.startsWith(TEMP_PREFIX) || /\.trackio-fsck-copy-\d+$/.test(name);
}
