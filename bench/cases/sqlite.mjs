// Check of a real-Trackio project database with 1M metric rows, beside the sqlite3 CLI's own checks.
// CPU seconds (user + sys) are reported beside wall seconds: on a shared machine the wall clock
// mostly measures the neighbours.
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeProject } from '../../fixtures/build/trackioDb.mjs';

export const title = 'Trackio SQLite: check of a project database with 1M metric rows';

const RUNS = 10;
const STEPS = 100_000;

/** Wall and CPU seconds and peak RSS of one command, from GNU time; the best (least CPU) of `n`. */
function timed(n, cmd, args) {
  let best;
  for (let i = 0; i < n; i++) {
    const stats = join(tmpdir(), `bench-sqlite-${process.pid}-${i}`);
    const r = spawnSync('/usr/bin/time', ['-f', '%e %U %S %M', '-o', stats, cmd, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    const [wall, user, sys, rssKb] = readFileSync(stats, 'utf8').trim().split('\n').pop().split(' ').map(Number);
    rmSync(stats, { force: true });
    const m = { wall, cpu: user + sys, rssMB: rssKb / 1024, code: r.status };
    if (!best || m.cpu < best.cpu) best = m;
  }
  return best;
}

export async function run({ bin, scratch }) {
  const dataDir = join(scratch, 'trackio');
  const db = writeProject(dataDir, 'bench', { generation: 'current', runs: RUNS, steps: STEPS });
  const rows = RUNS * STEPS;
  const out = [{ name: 'database', value: statSync(db).size / 1e6, unit: 'MB', note: `${rows.toLocaleString('en')} metric rows, orjson BLOB cells, WAL` }];
  const add = (name, m, note) =>
    out.push(
      { name, value: m.cpu, unit: 's CPU', note: `${m.wall.toFixed(2)} s wall; exit ${m.code}${note ? `; ${note}` : ''}` },
      { name: '  rows/s (CPU)', value: rows / m.cpu, unit: 'rows/s' },
      { name: '  peak RSS', value: m.rssMB, unit: 'MB' },
    );
  add('trackio-fsck check (quick_check + every JSON cell validated)', timed(2, process.execPath, [bin, 'check', dataDir, '--json']));
  add('trackio-fsck check --full (integrity_check + every JSON cell)', timed(2, process.execPath, [bin, 'check', dataDir, '--json', '--full']));
  for (const pragma of ['quick_check', 'integrity_check']) add(`sqlite3 db 'PRAGMA ${pragma}'`, timed(2, 'sqlite3', [db, `PRAGMA ${pragma}`]), 'structure only, no JSON read');
  return { rows: out };
}
