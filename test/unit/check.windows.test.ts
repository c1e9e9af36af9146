import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ageTree, damage, makeDataDir, runId, writeRun } from '../../fixtures/build/dataDir.mjs';
import { recordManifest, type CheckEvent, type CheckResult, type FileRecord } from '../../src/index.js';
import { check } from '../helpers/engine.js';
import { tempDir } from '../helpers/cli.js';
import { scanWindow } from '../helpers/internals.js';

// check reads runs a window at a time and drops each window's entries and records (memory flat at
// any number of files). Whatever the window size, what a user gets must be what one window gives.

const WHOLE = 1 << 20;
const SIZES = [1, 3, 7, 11];

/** Damaged runs, and run ids whose order differs from their paths' ('a' < 'a-b', but 'runs/a-b/' < 'runs/a/'). */
function damagedDataDir(): string {
  const dataDir = makeDataDir(tempDir(), { runs: 8, steps: 4 });
  for (const id of ['a', 'a-b', 'a.c', 'a0']) writeRun(dataDir, id, { steps: 3 });
  damage.truncateMidLine(dataDir, runId(1));
  damage.missingFile(dataDir, runId(3));
  damage.leftoverTemp(dataDir, runId(5));
  damage.schemaViolation(dataDir, 'a-b');
  damage.unreadable(dataDir, 'a');
  ageTree(dataDir); // listings are recorded only once 2 s old: the same whenever the test runs
  return dataDir;
}

async function inWindows<T>(files: number, fn: () => Promise<T>): Promise<T> {
  const was = scanWindow.files;
  scanWindow.files = files;
  try {
    return await fn();
  } finally {
    scanWindow.files = was;
  }
}

function comparable(r: CheckResult) {
  return { report: { ...r.report, summary: { ...r.report.summary, durationMs: 0 } }, files: r.files, runs: r.runs, dirs: [...(r.dirs ?? [])] };
}

const paths = (files: FileRecord[]) => files.map((f) => f.path);
const sortedCopy = (xs: string[]) => [...xs].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

describe('check in windows of runs', () => {
  it('gives the same report, records, runs and listings at every window size as in one window', async () => {
    const dataDir = damagedDataDir();
    const whole = comparable(await inWindows(WHOLE, () => check(dataDir, { liveWindowMs: 0 })));
    expect(whole.report.summary.errors).toBeGreaterThan(0);
    expect(whole.runs.map((r) => r.run)).toEqual(sortedCopy(whole.runs.map((r) => r.run)));
    expect(paths(whole.files)).toEqual(sortedCopy(paths(whole.files)));
    for (const size of SIZES) {
      expect(comparable(await inWindows(size, () => check(dataDir, { liveWindowMs: 0 }))), `window of ${size} files`).toEqual(whole);
    }
  });

  it('onFile sees every record once, in path order across windows; keepFiles/keepDirs false keep none', async () => {
    const dataDir = damagedDataDir();
    const kept = await check(dataDir, { liveWindowMs: 0 });
    for (const size of [1, 7, WHOLE]) {
      const seen: FileRecord[] = [];
      const lean = await inWindows(size, () => check(dataDir, { liveWindowMs: 0, keepFiles: false, keepDirs: false, onFile: (r) => seen.push(r) }));
      expect(seen).toEqual(kept.files);
      expect(lean.files).toEqual([]);
      expect(lean.dirs?.size ?? 0).toBe(0);
      expect(lean.report.summary).toEqual({ ...kept.report.summary, durationMs: lean.report.summary.durationMs });
    }
  });

  it('the start event: exact totals in one window, an estimate flagged as one across windows; file events add up to the summary', async () => {
    const dataDir = damagedDataDir();
    for (const size of [2, WHOLE]) {
      const events: CheckEvent[] = [];
      const { report } = await inWindows(size, () => check(dataDir, { liveWindowMs: 0 }, (e) => events.push(e)));
      const start = events.find((e) => e.type === 'start')!;
      expect(events.indexOf(start)).toBe(events.findIndex((e) => e.type !== 'finding'));
      const fileEvents = events.filter((e) => e.type === 'file');
      expect(fileEvents.reduce((n, e) => n + (e.type === 'file' ? e.bytes : 0), 0)).toBe(report.summary.bytes);
      expect(start).toMatchObject({ type: 'start', runs: 12 });
      if (size === WHOLE) {
        expect(start).toEqual({ type: 'start', dataDir, runs: 12, files: report.summary.files, bytes: report.summary.bytes });
      } else {
        expect(start).toMatchObject({ estimated: true });
        expect(start.type === 'start' && start.files).toBeGreaterThan(0);
      }
    }
  });

  it('manifest write across windows records what one window records; a file gone from a later window is manifest/missing, --fast trusts the rest', async () => {
    const dataDir = damagedDataDir();
    const now = new Date('2026-02-01T00:00:00Z');
    await inWindows(WHOLE, () => recordManifest(dataDir, { liveWindowMs: 0, now }));
    const manifest = readFileSync(join(dataDir, 'manifest-sha256.txt'), 'utf8');
    const record = readFileSync(join(dataDir, '.trackio-fsck', 'manifest.json'), 'utf8');
    rmSync(join(dataDir, 'manifest-sha256.txt'));
    rmSync(join(dataDir, '.trackio-fsck'), { recursive: true });
    const written = await inWindows(3, () => recordManifest(dataDir, { liveWindowMs: 0, now }));
    expect(written.manifest).toMatchObject({ added: manifest.trim().split('\n').length, updated: 0, removed: 0 });
    expect(readFileSync(join(dataDir, 'manifest-sha256.txt'), 'utf8')).toBe(manifest);
    expect(readFileSync(join(dataDir, '.trackio-fsck', 'manifest.json'), 'utf8')).toBe(record);

    const last = runId(7);
    rmSync(join(dataDir, 'runs', last, 'logs', 'train.log'));
    for (const size of [1, 5, WHOLE]) {
      const full = await inWindows(size, () => check(dataDir, { liveWindowMs: 0 }));
      const missing = full.report.findings.filter((f) => f.code === 'manifest/missing');
      expect(missing.map((f) => f.path), `window of ${size} files`).toEqual([`runs/${last}/logs/train.log`]);
      const fast = await inWindows(size, () => check(dataDir, { liveWindowMs: 0, fast: true, keepFiles: false }));
      // Every recorded file still there is trusted; a temp file is never recorded, so it is always read.
      expect(fast.trusted).toBe(manifest.trim().split('\n').length - 1);
      expect({ ...fast.report.summary, durationMs: 0 }).toEqual({ ...full.report.summary, durationMs: 0 });
    }
  });
});
