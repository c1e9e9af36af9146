import type { FileRecord, Finding } from '../../finding.js';
import { makeFinding } from '../../makeFinding.js';
import { readFileOnceSync } from '../../fs/readFileOnceSync.js';
import type { FileKind } from './kinds/FileKind.js';
import { jsonKind } from './kinds/jsonKind.js';
import { jsonlKind } from './kinds/jsonlKind.js';
import { opaqueKind } from './kinds/opaqueKind.js';
import { TEMP_NAME, type FileEntry } from './listRunFiles.js';

/** The files every run should have; summary.json appears only once a run finished. */
export const REQUIRED_FILES = ['config.json', 'metrics.jsonl'] as const;

export interface RunPlan {
  run: string;
  files: FileEntry[];
  live: boolean;
  /** What made the run live, in words a user can act on (see liveEvidenceText). */
  liveWhy?: string;
}

export interface LiveEvidence {
  /** Absolute paths held open for writing by another process. */
  openForWriting: Set<string>;
  /** A run without summary.json whose metrics changed this recently counts as live (ms; 0 turns it off). */
  liveWindowMs: number;
  now: number;
  /** Open files could be looked up (/proc readable): "no process has it open" is then a fact, not a guess. */
  openFilesKnown?: boolean;
}

/** Which kind reads a file, by its place in the run. */
export function kindFor(inRun: string): FileKind {
  if (inRun === 'metrics.jsonl') return jsonlKind;
  if (inRun === 'config.json' || inRun === 'summary.json') return jsonKind;
  return opaqueKind;
}

/**
 * Run-level facts, decided before any file is read: is someone writing this run, is anything
 * missing, are there leftovers of interrupted writes.
 */
export function planRun(run: string, files: FileEntry[], evidence: LiveEvidence, emit: (f: Finding) => void, notFiles?: ReadonlySet<string>): RunPlan {
  const byName = new Map(files.map((f) => [f.inRun, f]));
  const runPath = `runs/${run}`;
  const metrics = byName.get('metrics.jsonl');
  const finished = byName.has('summary.json');
  const heldOpen = files.some((f) => evidence.openForWriting.has(f.abs));
  const recentlyWritten =
    !finished && metrics !== undefined && evidence.liveWindowMs > 0 && evidence.now - metrics.stat.mtimeMs < evidence.liveWindowMs;
  const live = heldOpen || recentlyWritten;
  let liveWhy: string | undefined;
  if (live) {
    liveWhy = liveEvidenceText(files, evidence, heldOpen ? undefined : metrics!.stat.mtimeMs);
    emit(makeFinding('run/live', { run, path: runPath }, `run is being written right now (${liveWhy}); an unfinished last line is not called damage`));
  } else if (!finished && files.length > 0) {
    emit(makeFinding('run/unfinished', { run, path: runPath }, 'no summary.json: the run crashed or was stopped before it finished'));
  }
  for (const name of REQUIRED_FILES) {
    // There but not a file: listRunFiles reported what it is (fs/not-a-file, fs/symlink-escape).
    if (!byName.has(name) && !notFiles?.has(name)) emit(makeFinding('run/missing-file', { run, path: `${runPath}/${name}` }, `${name} is missing`));
  }
  for (const f of files) {
    const base = f.inRun.slice(f.inRun.lastIndexOf('/') + 1);
    if (TEMP_NAME.test(base)) {
      emit(makeFinding('fs/leftover-temp', { run, path: f.rel }, `temporary file of an interrupted write (${f.stat.size} bytes)`, { action: 'quarantine-file', safe: true }));
    }
  }
  return { run, files, live, liveWhy };
}

/**
 * What was seen, so a user can tell a writer from a crash: the files a process holds open, or how
 * long ago metrics.jsonl changed and that nobody holds it (the window alone decided, so a crashed
 * writer looks live for that long: --live-window 0 says it is not).
 */
export function liveEvidenceText(files: FileEntry[], evidence: LiveEvidence, changedMs?: number): string {
  if (changedMs === undefined) {
    const held = files.filter((f) => evidence.openForWriting.has(f.abs)).map((f) => f.inRun);
    return `another process has ${held.join(', ')} open for writing`;
  }
  const ago = Math.max(0, Math.round((evidence.now - changedMs) / 1000));
  const nobody = evidence.openFilesKnown ? '; no process has it open' : '';
  return `metrics.jsonl changed ${ago} s ago, no summary.json yet${nobody}; if the writer crashed: --live-window 0`;
}

/**
 * checkFile for a small file, read synchronously into `buf` (reused from file to file): its record, undefined when it could not be read (reported), false when its kind
 * must read it itself (checkFile then).
 */
export function checkFileSync(entry: FileEntry, run: string, live: boolean, emit: (f: Finding) => void, prefixBytes: number | undefined, buf: Buffer): FileRecord | undefined | false {
  const scan = kindFor(entry.inRun).begin({ abs: entry.abs, rel: entry.rel, run, stat: entry.stat, live, emit, prefixBytes });
  if (!scan) return false;
  try {
    return scan.finish(readFileOnceSync(entry.abs, buf, (chunk) => scan.push(chunk), { prefixBytes }));
  } catch (err) {
    emit(makeFinding('fs/unreadable', { run, path: entry.rel }, `cannot read: ${(err as Error).message}`));
    return undefined;
  }
}

/** Loads what the kinds' synchronous reads need (stream-json for a JSON document that outgrows its limit). */
export async function prepareKinds(): Promise<void> {
  for (const kind of [jsonKind, jsonlKind, opaqueKind]) await kind.prepare?.();
}

/** Reads one file with its kind; a read failure becomes fs/unreadable instead of an exception. */
export async function checkFile(entry: FileEntry, run: string, live: boolean, emit: (f: Finding) => void, prefixBytes?: number): Promise<FileRecord | undefined> {
  try {
    return await kindFor(entry.inRun).check({ abs: entry.abs, rel: entry.rel, run, stat: entry.stat, live, emit, prefixBytes });
  } catch (err) {
    emit(makeFinding('fs/unreadable', { run, path: entry.rel }, `cannot read: ${(err as Error).message}`));
    return undefined;
  }
}
