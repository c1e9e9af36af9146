import { basename, dirname } from 'node:path';

/**
 * Every name trackio-fsck gives its own files and folders, in one place: what it may create, clean
 * up or refuse to touch is decided from these, so a name here and a test of a name agree.
 */

/** trackio-fsck's own folder in the data dir (manifest record, lock, repair journals and backups); outside runs/, so check never scans it. */
export const STATE_DIR = '.trackio-fsck';
/** Where quarantined items go, one folder per repair; outside runs/, so the dashboard no longer sees them. */
export const QUARANTINE_DIR = 'quarantine';
/** Prefix of every temp file trackio-fsck writes (writeFileAtomic, a repair's rewrite); its own leftovers are recognisable. */
export const TEMP_PREFIX = '.trackio-fsck-tmp-';
/** Infix of copyFileVerified's temp name (`<dst>.trackio-fsck-copy-<pid>`). */
export const COPY_TEMP_INFIX = '.trackio-fsck-copy-';
/** Suffix of the file that receives a JSONL file's quarantined lines, beside its record of why. */
export const BAD_LINES_SUFFIX = '.bad-lines';
/** Suffix of the record of why beside a quarantined item. */
export const WHY_SUFFIX = '.why.json';

/** True for a file name (not a path) only trackio-fsck writes: one of its temp files. */
export function isOwnTempName(name: string): boolean {
  return name.startsWith(TEMP_PREFIX) || COPY_TEMP.test(name);
}
const COPY_TEMP = new RegExp(`${COPY_TEMP_INFIX.replace(/[.]/g, '\\.')}\\d+$`);

/**
 * The temp file a repair writes the new content of `path` to, beside it (relative paths, '/'-separated):
 * `<dir>/.trackio-fsck-tmp-<name>-<repair id>`. A journal read back may name no other temp.
 */
export function repairTempPath(path: string, repairId: string): string {
  const dir = dirname(path);
  return `${dir === '.' ? '' : `${dir}/`}${TEMP_PREFIX}${basename(path)}-${repairId}`;
}

/**
 * A second name a rewrite gives the original file just before it renames the new content over it
 * (`<temp>.held`): the old inode stays linked, so bytes a writer appends to it after the rename
 * survive a kill until they are carried over to the new file.
 */
export function heldLinkPath(path: string, repairId: string): string {
  return `${repairTempPath(path, repairId)}.held`;
}

/** repairTempPath under the name the op kinds use. */
export const ownTempBeside = repairTempPath;

/** Where a salvage keeps the rows it found but did not put back (JSONL), beside the original it keeps in quarantine. */
export function unplacedRowsFile(original: string): string {
  return `${original}.unplaced.jsonl`;
}
