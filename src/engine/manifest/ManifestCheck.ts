import type { Stats } from 'node:fs';
import { lstat } from 'node:fs/promises';
import { join } from 'node:path';
import type { FileRecord, Finding } from '../finding.js';
import { makeFinding } from '../makeFinding.js';
import { judgeRecord } from './judgeFile.js';
import { trustedFileRecord } from './trustedFileRecord.js';
import { runOf } from './manifestPaths.js';
import { statMatches } from './statMatches.js';
import { readManifest, type ManifestState } from './readManifest.js';
import type { ManifestEntries } from './ManifestEntries.js';
import type { ManifestLookup } from './ManifestLookup.js';
import type { DirListing } from '../layouts/runDirectory/listRunFiles.js';

/**
 * What `check` does with a manifest, in the same pass that reads the files: asks for the prefix
 * hash of append-only files, holds each file's hash against its line, lets --fast skip files whose
 * size, mtime and inode are those recorded, and reports recorded files that are gone.
 */
export class ManifestCheck implements ManifestLookup {
  private readonly seen: SeenPaths;
  readonly dirCache: { get(relDir: string): DirListing | undefined } | undefined;

  private constructor(
    readonly state: ManifestState,
    private readonly emit: (f: Finding) => void,
  ) {
    this.seen = new SeenPaths(state.entries);
    this.dirCache = state.dirs;
  }

  enterRun(): void {}

  markSeen(rel: string): void {
    this.seen.add(rel);
  }

  endWindow(): void {}

  async close(): Promise<void> {}

  /** Loads DIR's manifest (or takes one already loaded); undefined when there is none. */
  static async open(dataDir: string, given: ManifestState | undefined, emit: (f: Finding) => void, opts: { dirs?: boolean } = {}): Promise<ManifestCheck | undefined> {
    // The recorded listings serve only --fast: 300 000 of them at 100 000 runs are not kept for nothing.
    const state = given ?? (await readManifest(dataDir, { skipDirs: opts.dirs === false }));
    if (!state) return undefined;
    for (const p of state.problems) emit(p);
    return new ManifestCheck(state, emit);
  }

  /** For an append-only file: hash this many leading bytes too, so an append can be told from a change. */
  prefixBytesFor(rel: string): number | undefined {
    const rec = this.state.entries.get(rel)?.record;
    return rec?.appendOnly ? rec.size : undefined;
  }

  /**
   * Git's index rule: a file whose size, mtime and inode are those recorded is taken as unchanged
   * and not opened (never for a live run, nor for a file recorded while its run was live); its
   * record comes back as if it had been read.
   */
  trustedRecordIfUnchanged(rel: string, stat: Stats, live: boolean, run: string): FileRecord | undefined {
    if (live) return undefined;
    const rec = this.state.entries.get(rel)?.record;
    return statMatches(rec, stat) && !rec.live ? trustedFileRecord(rel, run, rec, this.emit) : undefined;
  }

  /** Holds a file that was read against its manifest line. */
  compare(record: FileRecord): void {
    const finding = judgeRecord(this.state.entries.get(record.path), record);
    if (finding) this.emit(finding);
  }

  /**
   * Recorded files of the checked runs (undefined: every recorded run, those deleted too) that the walk did not meet. One that still exists was left
   * out by the walk for a reason it reported (a link out of the data dir, an unreadable file).
   */
  async finish(runs: ReadonlySet<string> | undefined): Promise<void> {
    const seen = this.seen;
    for (const [path] of this.state.entries.rowEntries()) {
      if (seen.has(path)) continue;
      const run = runOf(path);
      if (run === null || (runs !== undefined && !runs.has(run))) continue;
      const entry = this.state.entries.get(path)!;
      const exists = await lstat(join(this.state.dir, entry.path)).then(
        () => true,
        () => false,
      );
      if (!exists) this.emit(makeFinding('manifest/missing', { run, path: entry.path }, `recorded in the manifest (line ${entry.line}) but gone`));
    }
  }
}

/**
 * Which recorded paths the walk met, as one byte per manifest row instead of a Set of every path
 * walked (only recorded paths matter to finish).
 */
class SeenPaths {
  private readonly met: Uint8Array;
  constructor(private readonly entries: ManifestEntries) {
    this.met = new Uint8Array(entries.size);
  }

  add(path: string): void {
    const row = this.entries.rowOf(path);
    if (row !== undefined) this.met[row] = 1;
  }

  has(path: string): boolean {
    const row = this.entries.rowOf(path);
    return row !== undefined && this.met[row] === 1;
  }
}
