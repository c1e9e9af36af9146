import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeDivergentTrackioDirs } from '../../fixtures/build/divergentDirs.mjs';
import { makeDataDir } from '../../fixtures/build/dataDir.mjs';
import { compare } from '../../src/engine/compare/compare.js';
import { planMerge } from '../../src/engine/compare/planMerge.js';
import { FsckError } from '../../src/engine/errors.js';
import { loadSqlite } from '../../src/engine/layouts/trackioSqlite/loadSqlite.js';
import { tempDir } from '../helpers/cli.js';

/** Applies a plan's rows the naive way (INSERT the listed rows of B, all columns but the id), to test what the plan promises. */
function bringRows(dir: string, source: string, project: string, table: string, rowIds: number[]): void {
  const db = new (loadSqlite())(join(dir, `${project}.db`));
  db.prepare('ATTACH ? AS src').run(join(source, `${project}.db`));
  const cols = (db.prepare(`SELECT name FROM pragma_table_info('${table}') WHERE name != 'id'`).pluck().all() as string[]).join(', ');
  const ins = db.prepare(`INSERT INTO main.${table} (${cols}) SELECT ${cols} FROM src.${table} WHERE rowid = ?`);
  for (const id of rowIds) ins.run(id);
  db.exec('DETACH src');
  db.close();
}

describe('planMerge (what merge SOURCE DIR would bring in)', () => {
  it('brings what the off-site copy has and the local data lacks; a row that differs is a conflict, never brought', async () => {
    const { a: local, b: offsite } = makeDivergentTrackioDirs(tempDir());
    const plan = await planMerge(local, offsite);
    expect(plan.errors).toEqual([]);
    expect(plan.projects.map((p) => p.project)).toEqual(['mnist']);
    const mnist = plan.projects[0]!;
    expect(mnist.newProject).toBe(false);
    expect(mnist.rows.metrics!.bring).toHaveLength(1);
    expect(mnist.rows.metrics!.conflicts).toEqual([{ run: 'run-1', at: 2, rowIdDir: expect.any(Number), rowIdSource: expect.any(Number) }]);
    expect(mnist.rows.configs!.conflicts).toHaveLength(1);
    expect(mnist.rows.alerts).toBeUndefined();
    expect(mnist.files).toEqual([]);
    expect(mnist.conflictingFiles).toHaveLength(1);
    expect(plan).toMatchObject({ rows: 1, conflicts: 3, files: 0 });
  });

  it('the other way: a project only in the source is new; rows, alerts and media the target lacks are brought', async () => {
    const { a: local, b: offsite } = makeDivergentTrackioDirs(tempDir());
    const plan = await planMerge(offsite, local);
    const [cifar, mnist] = plan.projects;
    expect(cifar).toMatchObject({ project: 'cifar', newProject: true });
    expect(cifar!.rows.metrics!.bring).toHaveLength(3);
    expect(mnist!.rows.metrics!.bring).toHaveLength(3);
    expect(mnist!.rows.alerts!.bring).toHaveLength(1);
    expect(mnist!.files).toEqual(['media/mnist/run-1/0/img-1.png']);
  });

  it('applying the planned rows leaves nothing only in the source, and a second plan brings nothing: no row twice', async () => {
    const { a: local, b: offsite } = makeDivergentTrackioDirs(tempDir());
    const plan = await planMerge(offsite, local);
    const mnist = plan.projects.find((p) => p.project === 'mnist')!;
    for (const [table, rows] of Object.entries(mnist.rows)) bringRows(offsite, local, 'mnist', table, rows.bring);
    const after = await compare(offsite, local);
    const tables = after.projects.find((p) => p.project === 'mnist')!.tables;
    for (const t of Object.values(tables)) expect(t.onlyInB).toBe(0);
    expect(tables.metrics).toMatchObject({ onlyInA: 1, differ: 1 });
    const again = await planMerge(offsite, local);
    expect(Object.values(again.projects.find((p) => p.project === 'mnist')!.rows).flatMap((r) => r.bring)).toEqual([]);
  });

  it('run-directory data dirs are not planned yet: a usage error', async () => {
    const a = makeDataDir(tempDir(), { runs: 1 });
    const err = await planMerge(a, a).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FsckError);
    expect((err as FsckError).exitCode).toBe(16);
  });
});
