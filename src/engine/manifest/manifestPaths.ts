import { join } from 'node:path';
import { STATE_DIR } from '../fs/ownNames.js';

export { STATE_DIR };

/** The coreutils manifest, at the top of the data dir: `cd DIR && sha256sum --strict -c manifest-sha256.txt`. */
export const MANIFEST_NAME = 'manifest-sha256.txt';
/** The tool's record beside the manifest: stat and hashed length per file. */
export const RECORD_NAME = 'manifest.json';
/**
 * Identifies the record's format; bumped only if an old reader would misread a new record. 3 is
 * one row per line (recordRows: written while the files are read, read a line at a time); 2 kept
 * files as columns, 1 one object per file. A reader of 2 takes a 3 record as no record
 * (verification by hash alone, manifest/record-mismatch), never as a wrong one; this reader still
 * reads 1 and 2, and the next `manifest write` rewrites them as 3.
 */
export const RECORD_FORMAT = 'trackio-fsck-manifest/3';
export const RECORD_FORMAT_2 = 'trackio-fsck-manifest/2';
export const RECORD_FORMAT_1 = 'trackio-fsck-manifest/1';

export interface ManifestPaths {
  manifest: string;
  record: string;
}

/** Where a data dir (or a backup snapshot of one) keeps its manifest and the tool's record. */
export function manifestPaths(dir: string): ManifestPaths {
  return { manifest: join(dir, MANIFEST_NAME), record: join(dir, STATE_DIR, RECORD_NAME) };
}

/** Append-only files: growth that leaves the recorded bytes intact is not damage. */
export function isAppendOnly(rel: string): boolean {
  return /^runs\/[^/]+\/metrics\.jsonl$/.test(rel);
}

/** The run a data-dir-relative path belongs to, or null. */
export function runOf(rel: string): string | null {
  const m = /^runs\/([^/]+)\//.exec(rel);
  return m ? m[1]! : null;
}
