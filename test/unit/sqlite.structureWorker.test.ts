import { availableParallelism } from 'node:os';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { leaveWalBehind, makeTrackioDir, trackioDamage } from '../../fixtures/build/trackioDb.mjs';
import buildIfStale from '../helpers/buildIfStale.js';
import { tempDir } from '../helpers/cli.js';
import { loadSqlite } from '../helpers/internals.js';
import { checkDatabase } from '../../src/engine/layouts/trackioSqlite/checkDatabase.js';
import type { Finding } from '../../src/engine/finding.js';
import { structureInBackground, wantsBackground } from '../../src/engine/layouts/trackioSqlite/structureInBackground.js';
import { structureProblems } from '../../src/engine/layouts/trackioSqlite/structureProblems.js';

// Asked for (TRACKIO_FSCK_WORKERS=1), a large database has quick_check and the index comparison run
// on a worker thread while the main thread scans its cells, the scan's findings held until the
// worker answers (checkDatabase, structureInBackground). The findings must be those of the check
// on one thread, in the same order, whatever the database's state: healthy, damaged cells, a
// damaged page (quick_check fails: the held scan is dropped and the table read again row by row),
// index-only damage, a missing table or column, committed rows still in the -wal (the check reads
// a private copy).
// The worker runs the built code (dist/): built first when src/ is newer.

beforeAll(() => buildIfStale(), 300_000);

const STALE = join(import.meta.dirname, '..', 'helpers', 'stale_index.py');

async function findings(dataDir: string, project: string, structureInWorker: boolean) {
  const out: Finding[] = [];
  const result = await checkDatabase({ dataDir, project, live: false, full: false, emit: (f) => out.push(f), structureInWorker });
  return { out, result };
}

const damages: Array<[string, (dataDir: string, project: string) => unknown]> = [
  ['healthy', () => undefined],
  ['damaged cells', (d, p) => {
    trackioDamage.invalidJsonCell(d, p, 2);
    trackioDamage.wrongShapeCell(d, p, 3);
    const db = new (loadSqlite())(join(d, `${p}.db`));
    try {
      db.prepare('UPDATE metrics SET metrics = ? WHERE id IN (5, 9)').run(Buffer.from('{"a":"\x80"}', 'latin1'));
    } finally {
      db.close();
    }
  }],
  ['a damaged page (quick_check fails)', (d, p) => trackioDamage.corruptPage(d, p, 1)],
  ['a damaged page and damaged cells', (d, p) => {
    trackioDamage.invalidJsonCell(d, p, 2);
    trackioDamage.corruptPage(d, p, 2);
  }],
  ['index-only damage (a moved row)', (d, p) => {
    const r = spawnSync('python3', [STALE, join(d, `${p}.db`), 'idx_metrics_run_step', 'update'], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(r.stderr);
  }],
  ['index-only damage (a stale step)', (d, p) => {
    const r = spawnSync('python3', [STALE, join(d, `${p}.db`), 'idx_metrics_run_step', 'value', 'step', 'int'], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(r.stderr);
  }],
  ['a missing table', (d, p) => trackioDamage.dropTable(d, p, 'metrics')],
  ['a missing column', (d, p) => trackioDamage.dropColumn(d, p)],
  ['committed rows in the -wal (private copy)', (d, p) => leaveWalBehind(d, p, 3)],
];

describe('sqlite check: quick_check on a worker thread gives the findings of one thread', () => {
  for (const [what, damage] of damages) {
    it(what, async () => {
      const dataDir = makeTrackioDir(tempDir(), { projects: [['p', 'current']], runs: 2, steps: 2000 });
      await damage(dataDir, 'p');
      const one = await findings(dataDir, 'p', false);
      const two = await findings(dataDir, 'p', true);
      expect(two.out).toEqual(one.out);
      expect(two.result).toEqual(one.result);
      if (what !== 'healthy') expect(one.out.length).toBeGreaterThan(0);
    }, 60_000);
  }

  it('the worker answers itself (no fallback to the main thread), the same as the main thread', async () => {
    for (const damage of [() => undefined, (d: string) => trackioDamage.corruptPage(d, 'p', 1)]) {
      const dataDir = makeTrackioDir(tempDir(), { projects: [['p', 'current']], runs: 2, steps: 2000 });
      damage(dataDir);
      const db = new (loadSqlite())(join(dataDir, 'p.db'), { readonly: true });
      try {
        const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[];
        const inWorker = await structureInBackground(db, tables, false);
        expect(inWorker).toBeDefined();
        expect(inWorker).toEqual(structureProblems(db, tables, false));
      } finally {
        db.close();
      }
    }
  });

  it('is used from 32 MiB (or TRACKIO_FSCK_PARALLEL_MIN_BYTES) when a core is free, always with TRACKIO_FSCK_WORKERS >= 1, never with 0', () => {
    const MiB = 1024 * 1024;
    // Unasked: decided by the last minute's load against the machine's cores.
    const cores = availableParallelism();
    expect(wantsBackground(1024 * MiB, undefined, {}, cores + 1)).toBe(false); // every core busy
    expect(wantsBackground(1024 * MiB, undefined, {}, 0)).toBe(cores >= 2); // idle
    expect(wantsBackground(32 * MiB - 1, undefined, {}, 0)).toBe(false); // small: not worth a thread
    expect(wantsBackground(1024 * MiB, undefined, { TRACKIO_FSCK_WORKERS: '0' }, 0)).toBe(false);
    expect(wantsBackground(1024 * MiB, undefined, { TRACKIO_FSCK_WORKERS: '1' }, cores + 1)).toBe(true);
    expect(wantsBackground(1024 * MiB, undefined, { TRACKIO_FSCK_WORKERS: 'x' }, cores + 1)).toBe(false);
    expect(wantsBackground(32 * MiB, undefined, { TRACKIO_FSCK_WORKERS: '1' })).toBe(true);
    expect(wantsBackground(32 * MiB - 1, undefined, { TRACKIO_FSCK_WORKERS: '2' })).toBe(false);
    expect(wantsBackground(10, undefined, { TRACKIO_FSCK_WORKERS: '1', TRACKIO_FSCK_PARALLEL_MIN_BYTES: '10' })).toBe(true);
    expect(wantsBackground(9, undefined, { TRACKIO_FSCK_WORKERS: '1', TRACKIO_FSCK_PARALLEL_MIN_BYTES: '10' })).toBe(false);
    expect(wantsBackground(0, true, {})).toBe(true);
    expect(wantsBackground(1024 * MiB, false, { TRACKIO_FSCK_WORKERS: '1' })).toBe(false);
  });
});
