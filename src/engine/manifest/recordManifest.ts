import { lstatSync } from 'node:fs';
import { realpath } from 'node:fs/promises';
import { join } from 'node:path';
import { check, type CheckEvent, type CheckOptions } from '../check.js';
import { FsckError } from '../errors.js';
import { fsPath } from '../fs/pathBytes.js';
import type { Finding } from '../finding.js';
import { findDataDir } from '../layouts/findDataDir.js';
import { layoutNamed } from '../layouts/index.js';
import { makeFinding } from '../makeFinding.js';
import { countSeverities, makeReport, sortFindings, type Report } from '../report.js';
import { runOf } from './manifestPaths.js';
import { statMatches } from './statMatches.js';
import { TEMP_NAME } from '../layouts/runDirectory/listRunFiles.js';
import { readManifest, type ManifestEntry, type ManifestState } from './readManifest.js';
import { openManifestStream, type ManifestStream } from './ManifestStream.js';
import type { DataDir } from '../layouts/Layout.js';
import { ManifestWriter, type ManifestInput, type WrittenManifest } from './ManifestWriter.js';
import type { FileRecord } from '../finding.js';

export type RecordOptions = Omit<CheckOptions, 'manifest'> & { now?: Date };

export interface ManifestChanges extends WrittenManifest {
  /** Paths recorded for the first time. */
  added: number;
  /** Paths whose hash changed (appends, repairs, edits). */
  updated: number;
  /** Paths dropped because the file is gone. */
  removed: number;
  /** Paths recorded as before. */
  unchanged: number;
}

export interface RecordResult {
  report: Report;
  manifest: ManifestChanges;
}

/** Findings about the old manifest that a rewrite must not hide: it may have been tampered with. */
const KEEP_FROM_OLD = new Set(['manifest/unsafe-path', 'manifest/malformed-line']);

/**
 * `manifest write`: one check pass that also records. Every file of the chosen runs (all runs by
 * default) is read once, checked and hashed; with `fast`, files whose size, mtime and inode match
 * the old record are taken from it unread. Entries of runs not chosen are kept as they were.
 *
 * One change is never recorded: bytes that differ while size, mtime and inode are those recorded.
 * Nothing that writes files leaves that trace; bit rot and disguised edits do. The old hash is
 * kept and the file reported (manifest/modified), so the manifest cannot launder damage.
 */
export async function recordManifest(dir: string | undefined, options: RecordOptions = {}, onEvent?: (e: CheckEvent) => void): Promise<RecordResult> {
  const found = findDataDir(dir, { env: options.env, cwd: options.cwd });
  const realDataDir = await realpath(found.dataDir);
  // An emptied old manifest is no reason to refuse writing a new one.
  const chosen = options.runs && options.runs.length > 0 ? new Set(options.runs) : undefined;
  // Old listings serve --fast, and are carried over for the runs a --run write does not walk.
  const wantDirs = Boolean(options.fast || chosen);
  // In manifest write's own order the old manifest is read beside the walk (twice: once here, once by
  // the check), else whole (issue 15: memory flat at any number of files).
  const streamed = await openManifestStream(realDataDir, { dirs: wantDirs, allowEmpty: true });
  const stream = typeof streamed === 'object' ? streamed : undefined;
  try {
    return await recordWith(found, realDataDir, chosen, stream, streamed === 'unordered' ? await readManifest(realDataDir, { allowEmpty: true, skipDirs: !wantDirs }) : undefined, options, onEvent);
  } finally {
    await stream?.close();
  }
}

async function recordWith(
  found: DataDir,
  realDataDir: string,
  chosen: Set<string> | undefined,
  stream: ManifestStream | undefined,
  old: ManifestState | undefined,
  options: RecordOptions,
  onEvent: ((e: CheckEvent) => void) | undefined,
): Promise<RecordResult> {
  const rotten: Finding[] = [];
  let added = 0;
  let updated = 0;
  let removed = 0;

  // The check delivers its records in path order, and the old manifest's entries are walked in the
  // same order beside them (a merge): each file goes into the writer's temp files as it comes, so
  // nothing per file is held (100 000 runs: 1.6 GB when every record was kept to the end).
  const writer = await ManifestWriter.open(realDataDir, { now: options.now });
  const nextOld = stream ? streamedEntries(stream) : old ? wholeEntries(old) : () => undefined;
  let pending = nextOld();
  /** Old entries before `path` (all, without one) that the pass did not read: kept, or dropped when the file is gone. */
  const passOld = (path?: string): void => {
    while (pending !== undefined && (path === undefined || pending.path < path)) {
      const entry = pending;
      pending = nextOld();
      if (isTemp(entry.path)) {
        removed++;
        continue;
      }
      const run = runOf(entry.path);
      const outOfScope = chosen !== undefined && (run === null || !chosen.has(run));
      // A file the pass could not read (unreadable, a link out) keeps its entry; only a vanished file loses it.
      if (outOfScope || exists(join(realDataDir, entry.path))) writer.addFile(fromEntry(entry));
      else removed++;
    }
  };
  const onFile = (r: FileRecord): void => {
    // A temp file is an interrupted write (a writer's or ours): repair moves it away, so recording it would make that move look like loss.
    if (isTemp(r.path)) return;
    passOld(r.path);
    let before: ManifestEntry | undefined;
    if (pending?.path === r.path) {
      before = pending;
      pending = nextOld();
    }
    if (before && !r.trusted && before.sha256 !== r.sha256 && statMatches(before.record, r)) {
      writer.addFile(fromEntry(before));
      rotten.push(
        makeFinding('manifest/modified', { run: r.run, path: r.path }, 'content differs from the manifest although size, mtime and inode did not change: bit rot, or a change that hid its tracks. The manifest keeps the recorded hash; restore the file, or if the change is wanted, touch it and write again'),
      );
      return;
    }
    if (!before) added++;
    else if (before.sha256 !== r.sha256) updated++;
    writer.addFile(r);
  };

  let result;
  try {
    result = await check(found.dataDir, { ...options, manifest: stream ?? old ?? false, keepFiles: false, keepDirs: false, onFile, onDir: (rel, listing) => writer.addDir(rel, listing) }, onEvent);
    passOld();
    // Listings of the directories walked now went in as they came; those of runs this pass did not walk are kept as they were.
    for (const [rel, listing] of (chosen && (stream ? stream.readAllDirs() : old?.dirs)?.entries()) || []) {
      const run = runOf(rel + '/');
      if (run === null || !chosen!.has(run)) writer.addDir(rel, listing);
    }
    if (writer.files === 0 && !(result.databases && result.databases.length > 0)) {
      // A manifest that records nothing verifies nothing, and check refuses one (exit 8): none is written.
      throw new FsckError(`nothing to record in ${found.dataDir}: no file was read${result.report.summary.errors > 0 ? ` (${result.report.summary.errors} error${result.report.summary.errors === 1 ? '' : 's'}: see trackio-fsck check)` : ''}, so no manifest is written`);
    }
  } catch (err) {
    writer.abort();
    throw err;
  }
  const written = await writer.commit();
  // What the byte manifest cannot hold (a project database's rows) is recorded by the layout.
  await layoutNamed(result.report.layout).writeRecords(realDataDir, result, options.now);
  const findings: Finding[] = result.report.findings.filter((f) => !f.code.startsWith('manifest/') || KEEP_FROM_OLD.has(f.code));
  findings.push(...rotten);
  const summary = { ...result.report.summary, ...countSeverities(findings) };
  const report = makeReport('manifest write', result.report.dataDir, result.report.layout, summary, sortFindings(findings), options.strict ?? false);
  const unchanged = written.files - added - updated;
  return { report, manifest: { ...written, added, updated, removed, unchanged } };
}

/** An old entry carried over as it was, with its record when it had one. */
function fromEntry(entry: ManifestEntry): ManifestInput {
  const rec = entry.record;
  if (!rec) return { path: entry.path, sha256: entry.sha256 };
  return { path: entry.path, sha256: entry.sha256, size: rec.size, mtimeMs: rec.mtimeMs, ino: rec.ino, lines: rec.lines, live: rec.live, findings: rec.findings };
}

/** The old manifest's entries in path order, one at a time. */
function streamedEntries(stream: ManifestStream): () => ManifestEntry | undefined {
  const cursor = stream.entries();
  return () => cursor.next();
}

function wholeEntries(old: ManifestState): () => ManifestEntry | undefined {
  const paths = old.entries.sortedPaths()[Symbol.iterator]();
  return () => {
    const next = paths.next();
    return next.done ? undefined : old.entries.get(next.value)!;
  };
}

function isTemp(rel: string): boolean {
  return TEMP_NAME.test(rel.slice(rel.lastIndexOf('/') + 1));
}

function exists(path: string): boolean {
  return lstatSync(fsPath(path), { throwIfNoEntry: false }) !== undefined;
}
