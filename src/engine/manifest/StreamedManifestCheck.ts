import type { Stats } from 'node:fs';
import { lstat } from 'node:fs/promises';
import { join } from 'node:path';
import type { FileRecord, Finding } from '../finding.js';
import type { DirListing } from '../layouts/runDirectory/listRunFiles.js';
import { makeFinding } from '../makeFinding.js';
import { judgeRecord } from './judgeFile.js';
import { trustedFileRecord } from './trustedFileRecord.js';
import type { ManifestEntry } from './ManifestEntries.js';
import type { ManifestLookup } from './ManifestLookup.js';
import { runOf } from './manifestPaths.js';
import type { DirCursor, EntryCursor, ManifestStream, StoredDir } from './ManifestStream.js';
import { decodeNames } from './RecordedDirs.js';
import { statMatches } from './statMatches.js';

/**
 * ManifestCheck's answers from a manifest read beside the walk (ManifestStream): the entries and
 * listings of the runs of one window are held, and dropped when the window is done. A recorded
 * file the walk did not meet is remembered (path and line) only when its run is checked: finish
 * then reports it missing if it is gone, as ManifestCheck does, in the same order.
 */
export class StreamedManifestCheck implements ManifestLookup {
  private readonly cursor: EntryCursor;
  private readonly dirRows: DirCursor | undefined;
  /** The next entry not yet taken by a run. */
  private next: ManifestEntry | undefined;
  private readonly window = new Map<string, { entry: ManifestEntry; seen: boolean }>();
  private readonly windowDirs = new Map<string, StoredDir>();
  /** Entries of the run entered last, in path order: its unseen ones are known when the next run is entered. */
  private current: Array<{ entry: ManifestEntry; seen: boolean }> = [];
  private readonly unseen: Array<{ path: string; line: number }> = [];
  readonly dirCache: { get(relDir: string): DirListing | undefined } | undefined;

  constructor(
    private readonly stream: ManifestStream,
    private readonly emit: (f: Finding) => void,
    /** The runs whose unmet files count as missing (undefined: every recorded run, those deleted too). */
    private readonly runs: ReadonlySet<string> | undefined,
    /** False when the caller opened the stream and reads it after the check (manifest write): it stays open. */
    private readonly owned = true,
  ) {
    this.cursor = stream.entries();
    this.next = this.cursor.next();
    this.dirRows = stream.dirRows();
    if (stream.dirsWhole) this.dirCache = stream.dirsWhole;
    else if (this.dirRows) this.dirCache = { get: (relDir) => this.listing(relDir) };
  }

  enterRun(run: string): void {
    this.settleCurrent();
    const prefix = `runs/${run}/`;
    while (this.next !== undefined && this.next.path < prefix) {
      this.passUnmet(this.next);
      this.next = this.cursor.next();
    }
    while (this.next !== undefined && this.next.path.startsWith(prefix)) {
      const held = { entry: this.next, seen: false };
      this.window.set(this.next.path, held);
      this.current.push(held);
      this.next = this.cursor.next();
    }
    this.dirRows?.take(run, this.windowDirs);
  }

  markSeen(rel: string): void {
    const held = this.window.get(rel);
    if (held) held.seen = true;
  }

  endWindow(): void {
    this.settleCurrent();
    this.window.clear();
    this.windowDirs.clear();
  }

  prefixBytesFor(rel: string): number | undefined {
    const rec = this.window.get(rel)?.entry.record;
    return rec?.appendOnly ? rec.size : undefined;
  }

  trustedRecordIfUnchanged(rel: string, stat: Stats, live: boolean, run: string): FileRecord | undefined {
    if (live) return undefined;
    const rec = this.window.get(rel)?.entry.record;
    if (!statMatches(rec, stat) || rec.live) return undefined;
    // A trusted file is done (met already, never read nor compared): its entry goes now, not with the
    // window, so --fast of unchanged runs leaves the collector nothing to promote.
    this.window.delete(rel);
    return trustedFileRecord(rel, run, rec, this.emit);
  }

  compare(record: FileRecord): void {
    const finding = judgeRecord(this.window.get(record.path)?.entry, record);
    if (finding) this.emit(finding);
  }

  async finish(): Promise<void> {
    this.endWindow();
    for (; this.next !== undefined; this.next = this.cursor.next()) this.passUnmet(this.next);
    for (const { path, line } of this.unseen) {
      const exists = await lstat(join(this.stream.dir, path)).then(
        () => true,
        () => false,
      );
      if (!exists) this.emit(makeFinding('manifest/missing', { run: runOf(path), path }, `recorded in the manifest (line ${line}) but gone`));
    }
    this.unseen.length = 0;
  }

  async close(): Promise<void> {
    if (this.owned) await this.stream.close();
  }

  /** The last run's entries are final once the next run is entered: those the walk did not meet wait for finish. */
  private settleCurrent(): void {
    for (const held of this.current) if (!held.seen) this.passUnmet(held.entry);
    this.current = [];
  }

  private passUnmet(entry: ManifestEntry): void {
    const run = runOf(entry.path);
    if (run === null || (this.runs !== undefined && !this.runs.has(run))) return;
    this.unseen.push({ path: entry.path, line: entry.line });
  }

  private listing(relDir: string): DirListing | undefined {
    const stored = this.windowDirs.get(relDir);
    if (!stored) return undefined;
    const names = decodeNames(stored.names);
    return names ? { mtimeMs: stored.mtimeMs, ino: stored.ino, names } : undefined;
  }
}
