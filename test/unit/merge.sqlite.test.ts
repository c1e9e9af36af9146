import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeDivergentTrackioDirs } from '../../fixtures/build/divergentDirs.mjs';
import { makeTrackioDir, orjson, writeProject } from '../../fixtures/build/trackioDb.mjs';
import { FsckError } from '../../src/engine/errors.js';
import { planMergeSteps } from '../../src/engine/layouts/trackioSqlite/planMergeSteps.js';
import { merge } from '../../src/index.js';
import { applyPlan, loadSqlite } from '../helpers/internals.js';
import { snapshot } from '../helpers/repairTree.js';
import { tempDir } from '../helpers/cli.js';

function withDb<T>(path: string, fn: (db: InstanceType<ReturnType<typeof loadSqlite>>) => T): T {
  const db = new (loadSqlite())(path);
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

describe('merge planner, Trackio SQLite layout', () => {
  it('one merge-rows step per project (rows to insert, conflicts to keep, digests), a whole project, media to copy, a blob to keep', async () => {
    const { a: local, b: offsite } = makeDivergentTrackioDirs(tempDir());
    const draft = await planMergeSteps(offsite, local, []);
    expect(draft.steps.map((s) => `${s.action} ${s.path}`)).toEqual([
      'merge-rows cifar.db',
      'merge-rows mnist.db',
      'merge-file media/mnist',
      expect.stringMatching(/^keep-theirs artifacts\/mnist\/blobs\/sha256\//),
    ]);
    const [cifar, mnist, media] = draft.steps;
    expect(cifar!.merge).toEqual({ from: join(local, 'cifar.db'), whole: true });
    expect(cifar!.pre).toBeNull();
    expect(Object.fromEntries(Object.entries(mnist!.merge!.bring!).map(([t, ids]) => [t, ids.length]))).toEqual({ metrics: 3, alerts: 1 });
    expect(Object.fromEntries(Object.entries(mnist!.merge!.conflicts!).map(([t, ids]) => [t, ids.length]))).toEqual({ metrics: 1, configs: 1 });
    expect(mnist!.merge!.digest).toMatch(/^[0-9a-f]{64}$/);
    expect(mnist!.pre).not.toBeNull();
    expect(media!.newDirs).toEqual(['media/mnist/run-1', 'media/mnist/run-1/0']);
    expect(media!.copies!.map((c) => c.path)).toEqual(['media/mnist/run-1/0/img-1.png']);
    expect(draft.conflicts.map((c) => `${c.path}: ${c.what}`)).toEqual(['mnist.db: 1 metrics row differs', 'mnist.db: 1 configs row differs', expect.stringMatching(/: its bytes differ$/)]);
  });

  it("rows keep their log_id; one whose id DIR already uses gets a new id, one whose id is free keeps it", async () => {
    const local = makeTrackioDir(tempDir(), { projects: [['mnist', 'current']] });
    const copy = join(tempDir(), 'copy');
    cpSync(local, copy, { recursive: true });
    const maxId = withDb(join(local, 'mnist.db'), (db) => db.prepare('SELECT max(id) FROM metrics').pluck().get() as number);
    // Both gain a row at id maxId+1, with other content: DIR's stays, B's comes in under the next free id
    // (rows go in by B's id order); B's row at maxId+50 finds its id free and keeps it.
    withDb(join(local, 'mnist.db'), (db) => db.prepare("INSERT INTO metrics (id, run_id, timestamp, run_name, step, metrics) VALUES (?, 'r', 't', 'run-0', 50, ?)").run(maxId + 1, orjson({ loss: 1 })));
    withDb(join(copy, 'mnist.db'), (db) => {
      db.prepare("INSERT INTO metrics (id, run_id, timestamp, run_name, step, metrics, log_id) VALUES (?, 'r', 't', 'run-0', 60, ?, ?)").run(maxId + 1, orjson({ loss: 2 }), 'a'.repeat(32));
      db.prepare("INSERT INTO metrics (id, run_id, timestamp, run_name, step, metrics, log_id) VALUES (?, 'r', 't', 'run-0', 61, ?, ?)").run(maxId + 50, orjson({ loss: 3 }), 'b'.repeat(32));
    });
    const outcome = await merge(copy, local, { mode: 'yes' });
    expect(outcome.exitCode).toBe(1);
    const rows = withDb(join(local, 'mnist.db'), (db) => db.prepare('SELECT id, step, log_id FROM metrics WHERE step >= 50 ORDER BY step').all());
    expect(rows).toEqual([
      { id: maxId + 1, step: 50, log_id: null },
      { id: maxId + 2, step: 60, log_id: 'a'.repeat(32) },
      { id: maxId + 50, step: 61, log_id: 'b'.repeat(32) },
    ]);
  });

  it('tables of another schema generation are not brought, and say why', async () => {
    const local = join(tempDir(), 'local');
    const copy = join(tempDir(), 'copy');
    writeProject(local, 'mnist', { generation: 'pre-0.24', runs: 1, steps: 2 });
    writeProject(copy, 'mnist', { generation: 'current', runs: 1, steps: 4 });
    const draft = await planMergeSteps(local, copy, []);
    const metrics = draft.conflicts.find((c) => c.what.includes('metrics rows only in the other copy'));
    expect(metrics?.left).toMatch(/columns this database lacks \(.*run_id/);
    expect(draft.steps.every((s) => !s.merge?.bring?.metrics)).toBe(true);
  });

  it('apply stops, changing nothing, when B changed since the plan (its rows no longer those the plan read)', async () => {
    const { a: local, b: offsite } = makeDivergentTrackioDirs(tempDir());
    const draft = await planMergeSteps(offsite, local, []);
    const steps = draft.steps.filter((s) => s.path === 'mnist.db').map((s, i) => ({ ...s, id: i + 1 }));
    const before = snapshot(offsite, (p) => p.startsWith('.trackio-fsck'));
    const id = steps[0]!.merge!.bring!.metrics![0]!;
    withDb(join(local, 'mnist.db'), (db) => db.prepare('UPDATE metrics SET metrics = ? WHERE id = ?').run(orjson({ loss: 42 }), id));
    const err = await applyPlan({ dataDir: offsite, layout: 'trackio-sqlite', steps, left: [], liveRuns: [], check: undefined as never }, [1], { command: 'test' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FsckError);
    expect((err as Error).message).toContain('changed since the merge was planned');
    const after = snapshot(offsite, (p) => p.startsWith('.trackio-fsck'));
    expect(after).toEqual(before);
  });
});
