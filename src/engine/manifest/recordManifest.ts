import { lstat, realpath } from 'node:fs/promises';
import { join } from 'node:path';
import { check, type CheckEvent, type CheckOptions } from '../check.js';
import type { FileRecord, Finding } from '../finding.js';
import { findDataDir } from '../layouts/findDataDir.js';
import { layoutNamed } from '../layouts/index.js';
import { makeFinding } from '../makeFinding.js';
import { countSeverities, makeReport, sortFindings, type Report } from '../report.js';
import { runOf } from './manifestPaths.js';
import { statMatches } from './statMatches.js';
import { readManifest, type ManifestEntry } from './readManifest.js';
import { writeManifest, type ManifestInput, type WrittenManifest } from './writeManifest.js';

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
  const old = await readManifest(realDataDir);
  const chosen = options.runs && options.runs.length > 0 ? new Set(options.runs) : undefined;
  // Each record is judged and reduced to what the manifest keeps as its window of runs is done, so
  // no FileRecord (nor its findings' copies in the result) outlives its window.
  const next: ManifestInput[] = [];
  const taken = old ? new Uint8Array(maxLine(old.entries) + 1) : undefined;
  const modified: Finding[] = [];
  let added = 0;
  let updated = 0;
  const onFile = (r: FileRecord): void => {
    const before = old?.entries.get(r.path);
    if (before) taken![before.line] = 1;
    if (before && !r.trusted && before.sha256 !== r.sha256 && statMatches(before.record, r)) {
      next.push(fromEntry(before));
      modified.push(
        makeFinding('manifest/modified', { run: r.run, path: r.path }, 'content differs from the manifest although size, mtime and inode did not change: bit rot, or a change that hid its tracks. The manifest keeps the recorded hash; restore the file, or if the change is wanted, touch it and write again'),
      );
      return;
    }
    if (!before) added++;
    else if (before.sha256 !== r.sha256) updated++;
    next.push(toInput(r));
  };
  const result = await check(found.dataDir, { ...options, manifest: old ?? false, keepFiles: false, onFile }, onEvent);

  const findings: Finding[] = result.report.findings.filter((f) => !f.code.startsWith('manifest/') || KEEP_FROM_OLD.has(f.code));
  findings.push(...modified);
  let removed = 0;
  for (const entry of old?.entries.values() ?? []) {
    if (taken![entry.line] === 1) continue;
    const run = runOf(entry.path);
    const outOfScope = chosen !== undefined && (run === null || !chosen.has(run));
    // A file the pass could not read (unreadable, a link out) keeps its entry; only a vanished file loses it.
    if (outOfScope || (await exists(join(realDataDir, entry.path)))) next.push(fromEntry(entry));
    else removed++;
  }

  // Listings of the directories walked now; those of runs this pass did not walk are kept as they were.
  const dirs = new Map(result.dirs ?? []);
  for (const [rel, listing] of old?.dirs?.entries() ?? []) {
    const run = runOf(rel + '/');
    if (chosen !== undefined && (run === null || !chosen.has(run)) && !dirs.has(rel)) dirs.set(rel, listing);
  }
  const written = await writeManifest(realDataDir, next, { now: options.now, dirs });
  // What the byte manifest cannot hold (a project database's rows) is recorded by the layout.
  await layoutNamed(result.report.layout).writeRecords(realDataDir, result, options.now);
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

/** What the manifest keeps of a file that was read (not its run, prefix hash or trusted flag). */
function toInput(r: FileRecord): ManifestInput {
  const input: ManifestInput = { path: r.path, sha256: r.sha256, size: r.size, mtimeMs: r.mtimeMs, ino: r.ino };
  if (r.lines !== undefined) input.lines = r.lines;
  if (r.live) input.live = true;
  if (r.findings && r.findings.length > 0) input.findings = r.findings;
  return input;
}

function maxLine(entries: ReadonlyMap<string, ManifestEntry>): number {
  let last = 0;
  for (const e of entries.values()) if (e.line > last) last = e.line;
  return last;
}

async function exists(path: string): Promise<boolean> {
  return lstat(path).then(
    () => true,
    () => false,
  );
}
