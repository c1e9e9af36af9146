import { readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { leaveWalBehind, makeTrackioDir } from '../../fixtures/build/trackioDb.mjs';
import { exportTable, writeParquetSidecar } from '../../fixtures/build/trackioOperations.mjs';
import { check } from '../helpers/engine.js';
import { loadSqlite } from '../../src/engine/layouts/trackioSqlite/loadSqlite.js';
import { tempDir } from '../helpers/cli.js';
import { snapshot } from '../helpers/repairTree.js';

const OLD = new Date('2025-06-01T00:00:00Z');
const LATER = () => new Date(Date.now() + 3600_000);

function sql(dataDir: string, project: string, statement: string): void {
  const db = new (loadSqlite())(join(dataDir, `${project}.db`));
  try {
    db.exec(statement);
  } finally {
    db.close();
  }
}

/** Exports `table` of mnist to its sidecar as Trackio does, then runs `after` on the database and dates the sidecar. */
function sidecar(dataDir: string, suffix: string, table: string, json: string | undefined, after: string, when: Date): string {
  const name = `mnist${suffix}.parquet`;
  writeParquetSidecar(join(dataDir, name), exportTable(dataDir, 'mnist', table, json));
  if (after) sql(dataDir, 'mnist', after);
  utimesSync(join(dataDir, name), when, when);
  return name;
}

interface Case {
  name: string;
  /** Sets the damage up; returns the expected finding's path and args, or undefined for none. */
  make: (dataDir: string) => { path: string; args: Record<string, unknown>; message?: RegExp } | undefined;
}

const cases: Case[] = [
  {
    name: 'a run deleted after the export: the older metrics sidecar holds its rows',
    make: (d) => ({ path: sidecar(d, '', 'metrics', 'metrics', "DELETE FROM metrics WHERE run_name = 'run-0'", OLD), args: { table: 'metrics', rows: 10, missing: 5 }, message: /id 1, 2, 3, 4, 5\)/ }),
  },
  {
    name: 'a sidecar of several row groups (3 rows each): the keys of every group, in place',
    make: (d) => {
      writeParquetSidecar(join(d, 'mnist.parquet'), exportTable(d, 'mnist', 'metrics', 'metrics'), { rowGroupSize: 3 });
      sql(d, 'mnist', 'DELETE FROM metrics WHERE id IN (2, 6, 10)');
      utimesSync(join(d, 'mnist.parquet'), OLD, OLD);
      return { path: 'mnist.parquet', args: { table: 'metrics', rows: 10, missing: 3 }, message: /\(id 2, 6, 10\)/ };
    },
  },
  {
    name: 'older than the database, but only because rows were added since: nothing lost, not reported',
    make: (d) => {
      sidecar(d, '', 'metrics', 'metrics', "INSERT INTO metrics (run_id, timestamp, run_name, step, metrics) VALUES ('r', '2026-01-02T00:00:00+00:00', 'late', 0, '{}')", OLD);
      return undefined;
    },
  },
  {
    name: 'newer than the database (an older database restored over it), holding rows the database lacks',
    make: (d) => {
      const path = sidecar(d, '', 'metrics', 'metrics', "DELETE FROM metrics WHERE id > 7", LATER());
      utimesSync(join(d, 'mnist.db'), OLD, OLD);
      return { path, args: { table: 'metrics', rows: 10, missing: 3 } };
    },
  },
  {
    name: "an emptied configs table keeps its old _configs.parquet (Trackio writes no empty sidecar)",
    make: (d) => ({ path: sidecar(d, '_configs', 'configs', 'config', 'DELETE FROM configs', OLD), args: { table: 'configs', rows: 2, missing: 2 } }),
  },
  {
    name: 'system metrics: one row gone',
    make: (d) => ({ path: sidecar(d, '_system', 'system_metrics', 'metrics', 'DELETE FROM system_metrics WHERE id = 2', OLD), args: { table: 'system_metrics', rows: 2, missing: 1 } }),
  },
  {
    name: 'traces, keyed by text ids',
    make: (d) => ({ path: sidecar(d, '_traces', 'traces', undefined, 'DELETE FROM traces', OLD), args: { table: 'traces', rows: 1, missing: 1 }, message: /id run-0-0000abcd:0+:chat/ }),
  },
  {
    name: 'artifact aliases, keyed by artifact and alias (no id column)',
    make: (d) => ({ path: sidecar(d, '_artifact_aliases', 'artifact_aliases', undefined, 'DELETE FROM artifact_aliases', OLD), args: { table: 'artifact_aliases', rows: 1, missing: 1 }, message: /artifact_id\/alias 1\/latest/ }),
  },
  {
    name: 'artifact versions and run links, all still in the database: not reported',
    make: (d) => {
      sidecar(d, '_artifact_versions', 'artifact_versions', undefined, '', OLD);
      sidecar(d, '_run_artifact_links', 'run_artifact_links', undefined, '', OLD);
      return undefined;
    },
  },
  {
    name: 'not parquet at all, older: judged by its age, saying why',
    make: (d) => {
      writeFileSync(join(d, 'mnist.parquet'), 'PAR1 rows the database has since lost PAR1');
      utimesSync(join(d, 'mnist.parquet'), OLD, OLD);
      return { path: 'mnist.parquet', args: { table: 'metrics', unread: expect.stringMatching(/^not readable as parquet: /) }, message: /older than mnist\.db and could not be compared with it/ };
    },
  },
  {
    name: 'not parquet, newer than the database: not reported',
    make: (d) => {
      writeFileSync(join(d, 'mnist_configs.parquet'), 'PAR1 fresh PAR1');
      utimesSync(join(d, 'mnist_configs.parquet'), LATER(), LATER());
      return undefined;
    },
  },
  {
    name: 'a real sidecar cut short (Trackio rewrites in place, without a temp file), older',
    make: (d) => {
      const path = sidecar(d, '', 'metrics', 'metrics', '', OLD);
      const bytes = readFileSync(join(d, path));
      writeFileSync(join(d, path), bytes.subarray(0, Math.floor(bytes.length / 2)));
      utimesSync(join(d, path), OLD, OLD);
      return { path, args: { table: 'metrics', unread: expect.stringMatching(/^not readable as parquet/) } };
    },
  },
  {
    name: 'a parquet without the key column, older: judged by its age',
    make: (d) => {
      writeParquetSidecar(join(d, 'mnist.parquet'), [{ step: 1, loss: 0.5 }]);
      utimesSync(join(d, 'mnist.parquet'), OLD, OLD);
      return { path: 'mnist.parquet', args: { table: 'metrics', unread: 'not readable as parquet: it has no id column' } };
    },
  },
];

describe('trackio/stale-parquet: reported when the sidecar holds rows the database lacks, by the rows themselves', () => {
  for (const c of cases) {
    it(c.name, async () => {
      const dataDir = makeTrackioDir(tempDir(), { projects: [['mnist', 'current']] });
      const expected = c.make(dataDir);
      const before = snapshot(dataDir);
      const { report } = await check(dataDir);
      const found = report.findings.filter((f) => f.code === 'trackio/stale-parquet');
      expect(report.findings.length).toBe(found.length);
      if (!expected) {
        expect(found).toEqual([]);
      } else {
        expect(found).toHaveLength(1);
        expect(found[0]).toMatchObject({ path: expected.path, severity: 'warning', args: expected.args, fix: { action: 'quarantine-file', safe: false } });
        if (expected.message) expect(found[0]!.message).toMatch(expected.message);
      }
      // check reads the sidecars and the database without changing a byte, a name or an mtime.
      expect(snapshot(dataDir)).toEqual(before);
    });
  }

  it("rows only in the database's -wal (a writer killed before a checkpoint) count as present; the -wal is left as found", async () => {
    const dataDir = makeTrackioDir(tempDir(), { projects: [['mnist', 'current']] });
    const rows = exportTable(dataDir, 'mnist', 'metrics', 'metrics');
    const late = [11, 12, 13].map((id, step) => ({ id, run_id: 'late-0000', timestamp: '2026-01-02T00:00:00+00:00', run_name: 'late', step, log_id: null, space_id: null, loss: 1 }));
    writeParquetSidecar(join(dataDir, 'mnist.parquet'), [...rows, ...late]);
    utimesSync(join(dataDir, 'mnist.parquet'), OLD, OLD);
    await leaveWalBehind(dataDir, 'mnist', 3);
    const before = snapshot(dataDir);
    const stale = async () => (await check(dataDir)).report.findings.filter((f) => f.code === 'trackio/stale-parquet').map((f) => [f.path, f.args]);
    expect(await stale()).toEqual([]);
    expect(snapshot(dataDir)).toEqual(before);
    // The same sidecar with one more row the database never had is reported, -wal and all.
    writeParquetSidecar(join(dataDir, 'mnist.parquet'), [...rows, ...late, { ...late[0]!, id: 14 }]);
    utimesSync(join(dataDir, 'mnist.parquet'), OLD, OLD);
    expect(await stale()).toEqual([['mnist.parquet', { table: 'metrics', rows: 14, missing: 1 }]]);
  });

  it('a sidecar of a table the database does not have (a pre-0.24 project): every row is one it lacks', async () => {
    const dataDir = makeTrackioDir(tempDir(), { projects: [['mnist', 'current'], ['cifar', 'pre-0.24']] });
    writeParquetSidecar(join(dataDir, 'cifar_traces.parquet'), exportTable(dataDir, 'mnist', 'traces', undefined));
    const { report } = await check(dataDir);
    expect(report.findings.map((f) => [f.path, f.args])).toEqual([['cifar_traces.parquet', { table: 'traces', rows: 1, missing: 1 }]]);
  });
});
