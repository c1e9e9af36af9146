import { spawnSync } from 'node:child_process';
import { utimesSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeTrackioDir } from '../../fixtures/build/trackioDb.mjs';
import { exportTable } from '../../fixtures/build/trackioOperations.mjs';
import { loadSqlite } from '../../src/engine/layouts/trackioSqlite/loadSqlite.js';
import { check } from '../helpers/engine.js';
import { tempDir } from '../helpers/cli.js';
import { snapshot } from '../helpers/repairTree.js';

// Trackio's dataset mode writes its sidecars with pyarrow (page index, content-defined chunking,
// structs for media objects, lists): the hyparquet-writer sidecars of check.staleParquet.test.ts
// are a stand-in. This test writes them with pyarrow itself when python3 has it (.ci/run installs
// it best-effort from requirements-test.txt); TRACKIO_FSCK_PYTHON names another interpreter.
const PYTHON = process.env.TRACKIO_FSCK_PYTHON ?? 'python3';
const WRITER = join(import.meta.dirname, '../helpers/write_parquet_pyarrow.py');
const probe = spawnSync(PYTHON, ['-c', 'import pyarrow; print(pyarrow.__version__)'], { encoding: 'utf8' });
const pyarrow = probe.status === 0 ? probe.stdout.trim() : undefined;
const title = pyarrow
  ? `trackio/stale-parquet on sidecars written by pyarrow ${pyarrow}, as Trackio's export_to_parquet writes them`
  : `trackio/stale-parquet on pyarrow-written sidecars (skipped: ${PYTHON} cannot import pyarrow; pip install -r requirements-test.txt)`;

/** Rows as JSON Python reads: NaN and infinities as its bare tokens, which json.load accepts. */
function pythonJson(value: unknown): string {
  return JSON.stringify(value, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? `\u0000${v}` : v)).replace(/"\\u0000(NaN|Infinity|-Infinity)"/g, '$1');
}

/** Writes each file of `files` (path -> rows) in one Python process: importing pyarrow is what takes long. */
function writeWithPyarrow(files: Record<string, unknown[]>): void {
  const r = spawnSync(PYTHON, [WRITER], { input: pythonJson(files), encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`pyarrow writer failed (${r.status}): ${r.stderr}`);
}

function sql(dataDir: string, statement: string): void {
  const db = new (loadSqlite())(join(dataDir, 'mnist.db'));
  try {
    db.exec(statement);
  } finally {
    db.close();
  }
}

const SIDECARS: Array<[suffix: string, table: string, json: string | undefined]> = [
  ['', 'metrics', 'metrics'],
  ['_system', 'system_metrics', 'metrics'],
  ['_configs', 'configs', 'config'],
  ['_traces', 'traces', undefined],
  ['_artifacts', 'artifacts', undefined],
  ['_artifact_versions', 'artifact_versions', undefined],
  ['_artifact_aliases', 'artifact_aliases', undefined],
  ['_run_artifact_links', 'run_artifact_links', undefined],
];

// Each test starts one Python (a few seconds on a loaded machine), hence the longer timeout.
describe.skipIf(!pyarrow)(title, { timeout: 120_000 }, () => {
  function exported(): string {
    // A NaN loss (stored "NaN", exported as a float NaN), a media struct, a list and a string column.
    const dataDir = makeTrackioDir(tempDir(), { projects: [['mnist', 'current']], runs: 3, steps: 40 });
    writeWithPyarrow(Object.fromEntries(SIDECARS.map(([suffix, table, json]) => [join(dataDir, `mnist${suffix}.parquet`), exportTable(dataDir, 'mnist', table, json)])));
    return dataDir;
  }

  it('every sidecar of a database that still has all its rows: read, nothing reported, nothing changed', async () => {
    const dataDir = exported();
    const old = new Date('2025-06-01T00:00:00Z');
    // Older than the database: only reading the rows can tell these sidecars are complete.
    for (const [suffix] of SIDECARS) utimesSync(join(dataDir, `mnist${suffix}.parquet`), old, old);
    const before = snapshot(dataDir);
    const { report } = await check(dataDir);
    expect(report.findings).toEqual([]);
    expect(snapshot(dataDir)).toEqual(before);
  });

  it('a run deleted after the export (its metrics, system metrics and config rows gone): each sidecar names the rows it would bring back', async () => {
    const dataDir = exported();
    sql(dataDir, "DELETE FROM metrics WHERE run_name = 'run-1'; DELETE FROM system_metrics WHERE run_name = 'run-1'; DELETE FROM configs WHERE run_name = 'run-1'");
    const { report } = await check(dataDir);
    const found = report.findings.map((f) => [f.code, f.path, f.args]);
    expect(found).toEqual([
      ['trackio/stale-parquet', 'mnist.parquet', { table: 'metrics', rows: 120, missing: 40 }],
      ['trackio/stale-parquet', 'mnist_configs.parquet', { table: 'configs', rows: 3, missing: 1 }],
      ['trackio/stale-parquet', 'mnist_system.parquet', { table: 'system_metrics', rows: 3, missing: 1 }],
    ]);
    // Read, not judged by age: the message names the rows by id.
    expect(report.findings[0]!.message).toMatch(/\(id 41, 42, 43, 44, 45, \.\.\.\)/);
  });
});
