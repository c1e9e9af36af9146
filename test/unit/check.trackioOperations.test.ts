import { cpSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeTrackioDir, trackioDamage, writeProject } from '../../fixtures/build/trackioDb.mjs';
import { trackioOperations, writeRegistries } from '../../fixtures/build/trackioOperations.mjs';
// check loads the compiled schemas (dist/generated): the built engine, as the CLI runs it.
import { check } from '../helpers/engine.js';
import { CODES } from '../../src/engine/codes.js';
import { loadSqlite } from '../../src/engine/layouts/trackioSqlite/loadSqlite.js';
import { tempDir } from '../helpers/cli.js';

const where = (f: { code: string; path: string; table?: string; rowId?: number }) => ({ code: f.code, path: f.path, ...(f.table ? { table: f.table } : {}), ...(f.rowId !== undefined ? { rowId: f.rowId } : {}) });

function oneProject(generation = 'current'): string {
  return makeTrackioDir(tempDir(), { projects: [['mnist', generation]] });
}

describe("check: what Trackio's own operations leave", () => {
  for (const generation of ['current', 'pre-0.24', 'upgraded']) {
    it(`trackio/duplicate-rows: a row without log_id repeating one with it (${generation})`, async () => {
      const dataDir = oneProject(generation);
      const expected = trackioOperations.duplicateRow(dataDir, 'mnist');
      const { report } = await check(dataDir);
      expect(report.findings.map(where)).toEqual([expected]);
      expect(report.findings[0]).toMatchObject({ severity: 'warning', message: expect.stringContaining('(run run-1, step 3) has no log_id and repeats row') });
      expect(report.findings[0]!.fix).toMatchObject({ action: 'quarantine-duplicate-rows', safe: true });
    });
  }

  it('rows that merely look alike are not duplicates: all without log_id, or another step, or other values', async () => {
    const dataDir = oneProject();
    const db = new (loadSqlite())(join(dataDir, 'mnist.db'));
    // Logged twice at one step, neither with a log_id (allowed); then log_ids on run-0 only.
    db.exec("INSERT INTO metrics (run_id, timestamp, run_name, step, metrics) SELECT run_id, timestamp, run_name, step, metrics FROM metrics WHERE run_name = 'run-1' AND step = 2");
    db.exec("UPDATE metrics SET log_id = printf('%032x', id) WHERE run_name = 'run-0'");
    // Same values as run-0's step 1, without log_id, at step 4 of run-0: not the same row.
    db.exec("INSERT INTO metrics (run_id, timestamp, run_name, step, metrics) SELECT run_id, timestamp, run_name, 4, metrics FROM metrics WHERE run_name = 'run-0' AND step = 1");
    db.close();
    expect((await check(dataDir)).report.findings).toEqual([]);
  });

  it('trackio/run-in-two-projects: an interrupted move_run leaves run-1 in both projects', async () => {
    const dataDir = oneProject();
    const expected = trackioOperations.runInTwoProjects(dataDir, 'mnist', 'moved');
    const { report } = await check(dataDir);
    expect(report.findings.map(where)).toEqual([expected]);
    expect(report.findings[0]!.message).toContain('run run-1 is in projects mnist and moved');
    // The fixture's media of run-1 are under mnist only (move_run killed before it moved them, as
    // real Trackio 0.36 leaves it): said, since deleting mnist's copy would strand the images.
    expect(report.findings[0]!.message).toMatch(/; its media are only in media\/mnist\/run-1\/: to keep the copy in moved, move that folder to media\/moved\/run-1\/ first$/);
    // The kill came after the media move: the folder is under the target only, and that is said.
    mkdirSync(join(dataDir, 'media', 'moved'));
    renameSync(join(dataDir, 'media', 'mnist', 'run-1'), join(dataDir, 'media', 'moved', 'run-1'));
    const after = (await check(dataDir)).report.findings.find((f) => f.code === 'trackio/run-in-two-projects');
    expect(after!.message).toMatch(/; its media are only in media\/moved\/run-1\/: to keep the copy in mnist, move that folder to media\/mnist\/run-1\/ first$/);
    // In both (or neither), nothing about media is said.
    mkdirSync(join(dataDir, 'media', 'mnist', 'run-1'));
    const both = (await check(dataDir)).report.findings.find((f) => f.code === 'trackio/run-in-two-projects');
    expect(both!.message).toMatch(/\(trackio\.Api\(\)\.run\(\.\.\.\)\.delete\(\)\)$/);
  });

  it('same-named runs of two projects with their own rows are not one run in two projects', async () => {
    const dataDir = oneProject();
    writeProject(dataDir, 'other', { generation: 'current', runs: 2, steps: 7 });
    expect((await check(dataDir)).report.findings).toEqual([]);
  });

  it('trackio/unsent-rows: info, with the Space and the count', async () => {
    const dataDir = oneProject();
    const expected = trackioOperations.unsentRows(dataDir, 'mnist');
    const { report } = await check(dataDir);
    expect(report.findings.map(where)).toEqual([expected]);
    expect(report.findings[0]).toMatchObject({ severity: 'info', message: '5 metrics rows not yet sent to ada/mnist-dashboard: they exist only on this machine' });
    expect(report.exitCode).toBe(0);
  });

  it('trackio/pending-upload-missing: only the upload whose file is gone', async () => {
    const dataDir = oneProject();
    const expected = trackioOperations.pendingUploadMissing(dataDir, 'mnist');
    const { report } = await check(dataDir);
    expect(report.findings.map(where)).toEqual([expected]);
    expect(report.findings[0]!.severity).toBe('warning');
  });

  // Found by running real Trackio 0.36: it records pending uploads by absolute path, so in a copy of
  // the data dir (off-site, snapshot, moved TRACKIO_DIR) every pending upload looked "gone" though
  // its file was right there. Still a warning (Trackio's sync would drop it), saying where the file is.
  it('trackio/pending-upload-missing in a copied data dir: the recorded absolute path is elsewhere, the file is here, and that is said', async () => {
    const original = oneProject();
    const unsent = trackioOperations.offlineRun(original, 'mnist');
    const gone = trackioOperations.pendingUploadMissing(original, 'mnist');
    const fresh = await check(original);
    expect(fresh.report.findings.map(where)).toEqual([
      { code: unsent.code, path: unsent.path, table: 'metrics' },
      gone,
      { code: unsent.code, path: unsent.path, table: 'system_metrics' },
    ]);
    const copy = join(tempDir(), 'trackio');
    cpSync(original, copy, { recursive: true });
    rmSync(original, { recursive: true });
    const { report } = await check(copy);
    const pending = report.findings.filter((f) => f.code === 'trackio/pending-upload-missing');
    expect(pending.map((f) => [f.rowId, f.severity])).toEqual([[1, 'warning'], [2, 'warning'], [3, 'warning']]);
    expect(pending[0]!.message).toBe(`pending upload 1 to ada/mnist-dashboard: recorded as ${unsent.file}, outside this data dir (it was copied or moved from where Trackio wrote it); the file is here, at media/mnist/run-0/0/img-0.png, but Trackio looks only at the recorded path, so its next sync drops this upload`);
    expect(pending[1]!.message).toMatch(/recorded as .*img-0\.png, outside this data dir.*the file is here, at media\/mnist\/run-0\/0\/img-0\.png/);
    // A file missing from the copy as well is gone, as before.
    expect(pending[2]!.message).toMatch(/^pending upload 3 to ada\/mnist-dashboard: .*deleted\.png is gone, so it can never be uploaded$/);
  });

  it('trackio/stale-parquet: a sidecar holding rows the database lost (a deleted run), not one matching it; fix: quarantine, not safe', async () => {
    const dataDir = oneProject();
    const expected = trackioOperations.staleParquet(dataDir, 'mnist');
    const { report } = await check(dataDir);
    expect(report.findings.map(where)).toEqual([expected]);
    expect(report.findings[0]!.fix).toMatchObject({ action: 'quarantine-file', safe: false });
    expect(report.findings[0]!.args).toEqual({ table: 'metrics', rows: 10, missing: 5 });
    expect(report.findings[0]!.message).toBe("mnist.parquet holds 5 metrics rows (of 10) that mnist.db no longer has (id 6, 7, 8, 9, 10): Trackio's import of it would bring them back");
  });

  it('registries, a registry cache, .hash and .lock files are recognised: clean, and the cache is checked like a project', async () => {
    const dataDir = oneProject();
    const cache = writeRegistries(dataDir, 'mnist');
    const clean = await check(dataDir);
    expect(clean.report.findings).toEqual([]);
    expect(clean.databases!.map((d) => d.project)).toEqual(['mnist', 'registry-models', 'registry-cache/ada--models/models']);
    const damage = trackioDamage.invalidJsonCell(join(dataDir, 'registry-cache', 'ada--models'), 'models');
    const { report } = await check(dataDir);
    expect(report.findings.map(where)).toEqual([{ ...damage, path: cache }]);
  });

  it('.hash and .lock files alone: recognised, not reported', async () => {
    for (const name of ['mnist.hash', 'mnist.lock', 'other.lock', 'registry-models.lock']) {
      const dataDir = oneProject();
      writeFileSync(join(dataDir, name), name.endsWith('.hash') ? 'a1b2c3d4e5f6' : '');
      const { report } = await check(dataDir);
      expect(report.findings, name).toEqual([]);
    }
  });

  it('a registry database is checked like a project: its damage found, its copies of runs not run-in-two-projects', async () => {
    const dataDir = oneProject();
    writeRegistries(dataDir, 'mnist');
    const damage = trackioDamage.invalidJsonCell(dataDir, 'registry-models');
    const { report, databases } = await check(dataDir);
    expect(databases!.map((d) => d.project)).toContain('registry-models');
    expect(report.findings.map(where)).toEqual([damage]);
  });

  it('every new code is documented with a severity and a fix where one loses nothing', () => {
    for (const code of ['trackio/duplicate-rows', 'trackio/run-in-two-projects', 'trackio/unsent-rows', 'trackio/pending-upload-missing', 'trackio/stale-parquet'] as const) {
      expect(CODES[code]).toBeDefined();
    }
    expect(CODES['trackio/stale-parquet'].fix).toBe('quarantine-file');
  });
});
