import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runId } from '../../fixtures/build/dataDir.mjs';
import { describe, expect, it } from 'vitest';
import { makeDivergentRunDirs, makeDivergentTrackioDirs } from '../../fixtures/build/divergentDirs.mjs';
import { makeDivergentRegistries } from '../../fixtures/build/divergentRegistries.mjs';
import { runCli, tempDir } from '../helpers/cli.js';
import { killAtEveryPoint } from '../helpers/faults.js';
import { copyTree, snapshot } from '../helpers/repairTree.js';

/** The data as users see it, the merge's quarantine folder named alike whatever its id. */
function userView(dir: string): Record<string, string> {
  const snap = snapshot(dir, (p) => p.startsWith('.trackio-fsck'));
  return Object.fromEntries(Object.entries(snap).map(([p, v]) => [p.replace(/^quarantine\/[^/]+/, 'quarantine/ID'), v]));
}

/**
 * SIGKILL at each durable point of `merge -y B DIR` (every one in CI, every third locally), on a
 * fresh copy of DIR each time; B is shared and must come out of every kill byte for byte as it was.
 * After a kill, `merge -y` again (even points) finishes with exactly what an uninterrupted merge
 * leaves, and `undo` (odd points) gives DIR's exact bytes back.
 */
async function sweep(make: (root: string) => { a: string; b: string }, into: 'a' | 'b', doneCode: number): Promise<number> {
  const pair = make(tempDir());
  const dir = into === 'a' ? pair.a : pair.b;
  const source = into === 'a' ? pair.b : pair.a;
  const original = userView(dir);
  const sourceBytes = snapshot(source);
  const fresh = () => {
    const d = join(tempDir(), 'dir');
    copyTree(dir, d);
    return d;
  };
  const reference = fresh();
  expect(runCli(['merge', '-y', source, reference]).code).toBe(doneCode);
  const merged = userView(reference);
  expect(merged).not.toEqual(original);
  const points = await killAtEveryPoint(fresh, (d) => ['merge', '-y', source, d], doneCode, (d, n) => {
    if (n % 2 === 0) {
      const resumed = runCli(['merge', '-y', source, d]);
      expect(resumed.code, `resume after point ${n}: ${resumed.stdout}${resumed.stderr}`).toBe(doneCode);
      expect(userView(d), `after resuming from point ${n}`).toEqual(merged);
    } else {
      const undone = runCli(['undo', d]);
      expect(undone.code, `undo after point ${n}: ${undone.stdout}${undone.stderr}`).toBe(0);
      expect(userView(d), `undo after point ${n}`).toEqual(original);
    }
    expect(snapshot(source), `B after point ${n}`).toEqual(sourceBytes);
  });
  expect(points).toBeGreaterThan(5);
  return points;
}

describe('a merge killed at any durable point (SIGKILL)', () => {
  it('Trackio SQLite layout: a whole project, rows into a database, media, kept conflicts', async () => {
    await sweep(makeDivergentTrackioDirs, 'b', 4);
  }, 600_000);

  it('Trackio SQLite layout: artifact registry rows under new ids, held-back and differing ones kept', async () => {
    await sweep((root) => {
      const { dir, source } = makeDivergentRegistries(root);
      return { a: dir, b: source };
    }, 'a', 4);
  }, 600_000);

  it('run-directory layout: appended records, a new run of several files, kept conflicts', async () => {
    // Run 3 (only in B) gets artifacts too: its files come in as one op, killed between two copies as well.
    const withArtifacts = (root: string) => {
      const pair = makeDivergentRunDirs(root);
      const dir = join(pair.b, 'runs', runId(3), 'artifacts');
      mkdirSync(dir, { recursive: true });
      for (const name of ['a.bin', 'b.bin', 'c.bin']) writeFileSync(join(dir, name), name.repeat(100));
      return pair;
    };
    await sweep(withArtifacts, 'a', 4);
  }, 600_000);
});
