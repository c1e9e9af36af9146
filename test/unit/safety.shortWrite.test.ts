// Issue 11 case 2: a write(2) that writes less than asked (a disk filling up) never leaves a file
// with missing bytes in place of the original.
import { readFileSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { damage, makeDataDir, runId } from '../../fixtures/build/dataDir.mjs';
import { writeAll } from '../../src/engine/fs/writeAll.js';
import { check, planRepair, undoRepair } from '../../src/index.js';
import { applyPlan } from '../helpers/internals.js';
import { tempDir } from '../helpers/cli.js';
import { copyTree, snapshot } from '../helpers/repairTree.js';

/**
 * The kernel's side of a full disk, below every caller: while `disk.mode` is set, each write on a
 * file handle writes at most half of what it is asked ('short'), or, after `disk.budget` bytes,
 * nothing at all ('full'), and reports the count it wrote, as write(2) does.
 */
const disk = vi.hoisted(() => ({ mode: undefined as undefined | 'short' | 'full', budget: 0, shortWrites: 0 }));
vi.mock('node:fs/promises', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs/promises')>();
  const open = async (...args: Parameters<typeof real.open>) => {
    const fh = await real.open(...args);
    const write = fh.write.bind(fh) as (...a: unknown[]) => Promise<{ bytesWritten: number; buffer: unknown }>;
    (fh as { write: unknown }).write = async (data: unknown, offset?: unknown, length?: unknown, position?: unknown) => {
      if (!disk.mode || typeof data === 'string') return write(data, offset, length, position);
      const buf = data as Uint8Array;
      const off = typeof offset === 'number' ? offset : 0;
      const len = typeof length === 'number' ? length : buf.byteLength - off;
      let n = disk.mode === 'short' ? Math.max(1, Math.floor(len / 2)) : Math.min(len, disk.budget);
      if (len === 0) n = 0;
      if (n < len) disk.shortWrites++;
      disk.budget -= n;
      if (n === 0) return { bytesWritten: 0, buffer: data };
      return write(buf, off, n, position ?? null);
    };
    return fh;
  };
  return { ...real, open, default: { ...real, open } };
});

/** A run whose metrics need a rewrite (a bad line in the middle, quarantined) and one whose tail is cut. */
function damaged(): string {
  const dataDir = makeDataDir(tempDir(), { runs: 2, steps: 400 });
  damage.invalidLineInMiddle(dataDir, runId(0), 5);
  damage.truncateMidLine(dataDir, runId(1));
  return dataDir;
}

async function repairAll(dataDir: string) {
  const plan = await planRepair(dataDir, {});
  return applyPlan(plan, plan.steps.map((s) => s.id), { command: 'test' });
}

describe('writeAll', () => {
  it('writes every byte through short writes, and throws ENOSPC naming the file when no byte goes', async () => {
    const written: number[] = [];
    const halfWriter = { write: async (b: Uint8Array, off = 0, len = b.length - off) => (written.push(Math.ceil(len / 2)), { bytesWritten: Math.ceil(len / 2), buffer: b }) };
    await writeAll(halfWriter as unknown as FileHandle, new Uint8Array(1000));
    expect(written.reduce((a, b) => a + b, 0)).toBe(1000);
    const full = { write: async (b: Uint8Array) => ({ bytesWritten: 0, buffer: b }) };
    await expect(writeAll(full as unknown as FileHandle, new Uint8Array(10), '/data/x')).rejects.toMatchObject({ code: 'ENOSPC', path: '/data/x' });
  });
});

describe('a repair on a disk that writes short', () => {
  it('short writes: the repaired files are exactly what a repair on a healthy disk gives', async () => {
    const template = damaged();
    const healthy = join(tempDir(), 'healthy');
    copyTree(template, healthy);
    await repairAll(healthy);
    const dataDir = join(tempDir(), 'short');
    copyTree(template, dataDir);
    disk.mode = 'short';
    try {
      await repairAll(dataDir);
    } finally {
      disk.mode = undefined;
    }
    expect(disk.shortWrites).toBeGreaterThan(0);
    const users = (d: string) => snapshot(d, (p) => p.startsWith('.trackio-fsck') || p.startsWith('quarantine'));
    expect(users(dataDir)).toEqual(users(healthy));
    expect((await check(dataDir)).report.exitCode).toBe(0);
  });

  it('a full disk at any byte of the repair: it fails, each file is its original or its correct repair (never cut), undo gives back every byte', async () => {
    const template = damaged();
    const users = (d: string) => snapshot(d, (p) => p.startsWith('.trackio-fsck') || p.startsWith('quarantine'));
    const original = users(template);
    const healthy = join(tempDir(), 'healthy');
    copyTree(template, healthy);
    await repairAll(healthy);
    const repaired = users(healthy);
    const size = readFileSync(join(template, 'runs', runId(0), 'metrics.jsonl')).length;
    // The backup copies come first (two files), then the rewrites: budgets that end inside each part.
    for (const budget of [100, size + 10, 2 * size + 100, 2 * size + 3000, 3 * size]) {
      const dataDir = join(tempDir(), `full-${budget}`);
      copyTree(template, dataDir);
      disk.mode = 'full';
      disk.budget = budget;
      let failed: unknown;
      try {
        await repairAll(dataDir);
      } catch (err) {
        failed = err;
      } finally {
        disk.mode = undefined;
      }
      expect(failed, `budget ${budget}: the repair went through on a full disk`).toBeDefined();
      expect(String((failed as Error).message)).toMatch(/ENOSPC|no space|verification failed/);
      for (const [path, sha] of Object.entries(users(dataDir))) {
        expect([original[path], repaired[path]], `budget ${budget}: ${path}`).toContain(sha);
      }
      await undoRepair(dataDir, { command: 'test' });
      expect(users(dataDir), `budget ${budget}`).toEqual(original);
    }
  });
});
