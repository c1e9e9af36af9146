import type { Stats } from 'node:fs';
import type { FileRecord } from '../finding.js';
import type { DirListing } from '../layouts/runDirectory/listRunFiles.js';

/**
 * What check asks of a manifest while it walks the runs in path order: ManifestCheck answers from
 * entries read whole, StreamedManifestCheck from the manifest read beside the walk (a run's entries
 * are at hand from enterRun until the end of the window that run is checked in).
 */
export interface ManifestLookup {
  /** The walk is about to list this run (runs come in the order of their `runs/<id>/` paths). */
  enterRun(run: string): void;
  /** Recorded listings check --fast may reuse (undefined: none). */
  readonly dirCache: { get(relDir: string): DirListing | undefined } | undefined;
  /** The walk met this file (it is not missing). */
  markSeen(rel: string): void;
  /** Every file of the runs entered so far was checked and compared. */
  endWindow(): void;
  prefixBytesFor(rel: string): number | undefined;
  trustedRecordIfUnchanged(rel: string, stat: Stats, live: boolean, run: string): FileRecord | undefined;
  compare(record: FileRecord): void;
  /** Reports recorded files of the checked runs (undefined: every recorded run) that the walk did not meet and that are gone. */
  finish(runs: ReadonlySet<string> | undefined): Promise<void>;
  close(): Promise<void>;
}
