import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync, cpSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeDivergentTrackioDirs } from '../../fixtures/build/divergentDirs.mjs';
import { holdProjectLock, leaveWalBehind, makeTrackioDir, trackioDamage } from '../../fixtures/build/trackioDb.mjs';
import { compare } from '../../src/engine/compare/compare.js';
import { tempDir } from '../helpers/cli.js';

/** Every file below `dir` with its bytes' SHA-256, size and mtime: what "left exactly as found" means. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string, prefix: string) => {
    for (const name of readdirSync(d).sort()) {
      const abs = join(d, name);
      const st = statSync(abs);
      if (st.isDirectory()) walk(abs, `${prefix}${name}/`);
      else out[prefix + name] = `${createHash('sha256').update(readFileSync(abs)).digest('hex')} ${st.size} ${st.mtimeMs}`;
    }
  };
  walk(dir, '');
  return out;
}

describe('compare: Trackio SQLite data dirs', () => {
  it('a data dir and an exact copy are equal (exit 0), every generation', async () => {
    const a = makeTrackioDir(tempDir());
    const b = join(tempDir(), 'copy');
    cpSync(a, b, { recursive: true });
    const r = await compare(a, b);
    expect(r.errors).toEqual([]);
    expect(r.equal).toBe(true);
    expect(r.exitCode).toBe(0);
    expect(r.projects.map((p) => p.project)).toEqual(['cifar', 'legacy', 'mnist']);
    expect(r.runs).toHaveLength(6);
    expect(r.summary).toEqual(['A and B hold the same data: 3 projects, 6 runs, 30 metrics rows']);
  });

  it('reports exactly the rows, configs, alerts, media and blobs that diverged', async () => {
    const { a, b } = makeDivergentTrackioDirs(tempDir());
    const r = await compare(a, b);
    expect(r.errors).toEqual([]);
    expect(r.exitCode).toBe(4);
    const run = (project: string, name: string) => r.runs.find((x) => x.project === project && x.run === name)!;
    // Rows re-inserted without log_id (Trackio's rename) match by run, step and content: not a difference.
    expect(run('mnist', 'run-0')).toMatchObject({ a: { rows: 10, maxStep: 9 }, b: { rows: 7, maxStep: 6 }, metrics: { onlyInA: 3, onlyInB: 0, differ: 0 }, config: 'equal', tables: { alerts: { onlyInA: 1, onlyInB: 0, differ: 0 } } });
    expect(run('mnist', 'run-1')).toMatchObject({ a: { rows: 10, maxStep: 9 }, b: { rows: 11, maxStep: 10 }, metrics: { onlyInA: 0, onlyInB: 1, differ: 1 }, config: 'differ' });
    expect(run('mnist', 'run-1').examples).toContainEqual(expect.objectContaining({ kind: 'differ', table: 'metrics', at: 2, logId: expect.stringMatching(/^[0-9a-f]{32}$/) }));
    expect(run('cifar', 'run-0')).toMatchObject({ a: { rows: 3, maxStep: 2 }, b: null, metrics: { onlyInA: 3, onlyInB: 0, differ: 0 } });
    const mnist = r.projects.find((p) => p.project === 'mnist')!;
    expect(mnist.presence).toBe('both');
    expect(mnist.tables.metrics).toEqual({ a: 20, b: 18, onlyInA: 3, onlyInB: 1, differ: 1 });
    expect(mnist.tables.configs).toEqual({ a: 2, b: 2, onlyInA: 0, onlyInB: 0, differ: 1 });
    expect(mnist.tables.alerts).toEqual({ a: 2, b: 1, onlyInA: 1, onlyInB: 0, differ: 0 });
    expect(mnist.tables.system_metrics).toEqual({ a: 2, b: 2, onlyInA: 0, onlyInB: 0, differ: 0 });
    expect(mnist.media).toMatchObject({ same: 1, onlyInA: 1, onlyInB: 0, differ: 0, listed: [{ path: 'media/mnist/run-1/0/img-1.png' }] });
    expect(mnist.artifacts).toMatchObject({ same: 1, onlyInA: 0, onlyInB: 0, differ: 1 });
    expect(r.projects.find((p) => p.project === 'cifar')!.presence).toBe('only-in-a');
    expect(r.summary).toEqual([
      '1 project only in A: cifar',
      'B is 3 steps behind on run mnist/run-0 (last step 9 in A, 6 in B) (and 1 more run)',
      'metrics of runs on both sides: 3 only in A, 1 only in B, 1 differ (2 runs)',
      'config differs on run mnist/run-1; alerts: 1 row not shared',
      '1 media file missing in B; 1 artifact file differs',
    ]);
  });

  it('swapping the sides swaps every count', async () => {
    const { a, b } = makeDivergentTrackioDirs(tempDir());
    const ab = await compare(a, b);
    const ba = await compare(b, a);
    const swap = (d: { onlyInA: number; onlyInB: number; differ: number }) => ({ onlyInA: d.onlyInB, onlyInB: d.onlyInA, differ: d.differ });
    for (const r of ab.runs) {
      const other = ba.runs.find((x) => x.project === r.project && x.run === r.run)!;
      expect(other.metrics).toEqual(swap(r.metrics));
      expect([other.a, other.b]).toEqual([r.b, r.a]);
    }
  });

  it('leaves both sides exactly as found, a database with a pending -wal included', async () => {
    const { a, b } = makeDivergentTrackioDirs(tempDir());
    await leaveWalBehind(b, 'mnist', 4);
    const before = [snapshot(a), snapshot(b)];
    const r = await compare(a, b);
    expect([snapshot(a), snapshot(b)]).toEqual(before);
    // The rows in the -wal are part of B's data.
    expect(r.runs.find((x) => x.project === 'mnist' && x.run === 'late')).toMatchObject({ a: null, b: { rows: 4, maxStep: 3 }, metrics: { onlyInB: 4 } });
  });

  it('a side being written (its lock held) is read through SQLite\'s locking, attached read-only', async () => {
    const { a, b } = makeDivergentTrackioDirs(tempDir());
    const lock = await holdProjectLock(b, 'mnist');
    try {
      const r = await compare(a, b);
      expect(r.errors).toEqual([]);
      expect(r.projects.find((p) => p.project === 'mnist')!.tables.metrics).toEqual({ a: 20, b: 18, onlyInA: 3, onlyInB: 1, differ: 1 });
    } finally {
      await lock.release();
    }
  });

  it('a database one side cannot read: exit 8, the error names the side and file', async () => {
    const a = makeTrackioDir(tempDir(), { projects: [['mnist', 'current']] });
    const b = join(tempDir(), 'copy');
    cpSync(a, b, { recursive: true });
    trackioDamage.notADatabase(b, 'mnist');
    const r = await compare(a, b);
    expect(r.exitCode).toBe(8);
    expect(r.errors).toEqual([{ side: 'b', path: 'mnist.db', message: expect.stringContaining('not a SQLite database') }]);
  });
});
