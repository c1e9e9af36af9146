import { describe, expect, it } from 'vitest';
import { ageTree, damage, makeDataDir, moreDamage, runId } from '../../fixtures/build/dataDir.mjs';
import { recordManifest, type CheckResult } from '../../src/index.js';
import { check } from '../helpers/engine.js';
import { tempDir } from '../helpers/cli.js';
import { syncReads } from '../helpers/internals.js';

// Small files are read synchronously through one reused buffer, larger ones on the thread pool.
// Which path reads a file must never change what a user is told: every damage class below, read
// all one way, all the other way, and split at the default size, gives the same report and records.

/** Every damage that applies to one run with its defaults; each gets its own run. */
const DAMAGES = [
  'truncateMidLine', 'appendNulTail', 'nulsThenRecord', 'removeFinalNewline', 'invalidLineInMiddle', 'schemaViolation', 'bareNaN',
  'stepBackwards', 'blankLine', 'cutJson', 'emptyJson', 'jsonWrongShape', 'missingFile', 'leftoverTemp', 'symlinkEscape', 'unreadable',
  'nulHoleInMiddle', 'nulsThenRecordNoNewline', 'appendRecords', 'rewriteRecordedBytes', 'silentEdit', 'deleteFile', 'addFile',
] as const;
const MORE_DAMAGES = ['crlfLines', 'nulRunInMiddle', 'manyInvalidLines', 'emptyMetrics', 'bareNaNJson', 'fifoInRun'] as const;

const ALL_ON_POOL = -1;
const ALL_SYNC = Number.MAX_SAFE_INTEGER;

async function withSyncMax<T>(maxBytes: number, bufferBytes: number, fn: () => Promise<T>): Promise<T> {
  const was = { ...syncReads };
  Object.assign(syncReads, { maxBytes, bufferBytes });
  try {
    return await fn();
  } finally {
    Object.assign(syncReads, was);
  }
}

function comparable(r: CheckResult) {
  return { report: { ...r.report, summary: { ...r.report.summary, durationMs: 0 } }, files: r.files, runs: r.runs };
}

/** A data dir with a manifest written while it was healthy, then one damage per run, and two documents larger than the sync limit. */
async function damagedDataDir(): Promise<string> {
  const n = DAMAGES.length + MORE_DAMAGES.length;
  const dataDir = makeDataDir(tempDir(), { runs: n + 2, steps: 6 });
  ageTree(dataDir);
  await recordManifest(dataDir, { liveWindowMs: 0 });
  DAMAGES.forEach((name, i) => (damage[name] as (d: string, id: string) => unknown)(dataDir, runId(i)));
  MORE_DAMAGES.forEach((name, i) => (moreDamage[name] as (d: string, id: string) => unknown)(dataDir, runId(DAMAGES.length + i)));
  moreDamage.bigJsonCutShort(dataDir, runId(n), 100_000);
  moreDamage.bigJsonCutShort(dataDir, runId(n + 1), 100_000, 'summary.json');
  ageTree(dataDir);
  return dataDir;
}

describe('check reads small files synchronously, the rest on the thread pool', () => {
  it('gives the same report and records whichever path reads each file, for every damage class', async () => {
    const dataDir = await damagedDataDir();
    const pool = comparable(await withSyncMax(ALL_ON_POOL, 64 * 1024, () => check(dataDir, { liveWindowMs: 0 })));
    const codes = new Set(pool.report.findings.map((f) => f.code));
    // The sweep reaches the kinds of damage it is about: not a vacuous equality.
    for (const code of ['jsonl/truncated-tail', 'jsonl/nul-bytes', 'json/invalid', 'json/schema', 'fs/not-a-file', 'fs/symlink-escape', 'manifest/appended']) {
      expect(codes, code).toContain(code);
    }
    // A tiny buffer makes every file arrive in many chunks, so the chunk joins are exercised too.
    for (const [maxBytes, bufferBytes] of [[64 * 1024, 64 * 1024], [ALL_SYNC, 64 * 1024], [ALL_SYNC, 7]]) {
      const got = comparable(await withSyncMax(maxBytes!, bufferBytes!, () => check(dataDir, { liveWindowMs: 0 })));
      expect(got, `sync up to ${maxBytes} bytes, buffer ${bufferBytes}`).toEqual(pool);
    }
  });

  it('a document past the in-memory limit goes to the streaming verifier on the synchronous path too', async () => {
    const dataDir = makeDataDir(tempDir(), { runs: 1, steps: 3 });
    const cut = moreDamage.bigJsonCutShort(dataDir, runId(0), 20_000);
    ageTree(dataDir);
    const was = process.env.TRACKIO_FSCK_MAX_DOCUMENT_BYTES;
    process.env.TRACKIO_FSCK_MAX_DOCUMENT_BYTES = '4096';
    try {
      const pool = comparable(await withSyncMax(ALL_ON_POOL, 64 * 1024, () => check(dataDir, { liveWindowMs: 0 })));
      const sync = comparable(await withSyncMax(ALL_SYNC, 1000, () => check(dataDir, { liveWindowMs: 0 })));
      expect(sync).toEqual(pool);
      expect(sync.report.findings).toContainEqual(expect.objectContaining({ code: 'json/invalid', path: cut.path, line: cut.line }));
    } finally {
      if (was === undefined) delete process.env.TRACKIO_FSCK_MAX_DOCUMENT_BYTES;
      else process.env.TRACKIO_FSCK_MAX_DOCUMENT_BYTES = was;
    }
  });
});
