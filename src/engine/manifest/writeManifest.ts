import type { DirListing } from '../layouts/runDirectory/listRunFiles.js';
import { ManifestWriter, refuseToRecord, type ManifestInput, type WrittenManifest } from './ManifestWriter.js';

export type { ManifestInput, WrittenManifest };

export interface WriteManifestOptions {
  /** Time stamp written into the record (tests pin it). */
  now?: Date;
  /** Directory listings to record beside the files (check()'s `dirs`), so check --fast can skip their readdir. */
  dirs?: Iterable<[string, DirListing]>;
}

/**
 * Writes DIR/manifest-sha256.txt (coreutils format, paths relative to DIR) and the tool's record
 * DIR/.trackio-fsck/manifest.json, each atomically, from files given in any order (ManifestWriter:
 * the record first, carrying the manifest's digest). For a few re-recorded files after a repair;
 * `manifest write` streams into a ManifestWriter instead of holding every file.
 */
export async function writeManifest(dir: string, files: Iterable<ManifestInput>, opts: WriteManifestOptions = {}): Promise<WrittenManifest> {
  const sorted = [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  // Refused before anything is created.
  sorted.forEach((f, i) => refuseToRecord(f, i > 0 ? sorted[i - 1]!.path : undefined));
  const writer = await ManifestWriter.open(dir, { now: opts.now });
  try {
    for (const f of sorted) writer.addFile(f);
    for (const [rel, listing] of opts.dirs ?? []) writer.addDir(rel, listing);
  } catch (err) {
    writer.abort();
    throw err;
  }
  return writer.commit();
}
