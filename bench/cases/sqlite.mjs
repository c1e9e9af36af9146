// Check of a real-Trackio project database with 1M metric rows (200k with BENCH_QUICK=1), beside the sqlite3 CLI's own checks.
// CPU seconds (user + sys) are reported beside wall seconds: on a shared machine the wall clock
// mostly measures the neighbours.
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeProject } from '../../fixtures/build/trackioDb.mjs';

export const title = 'Trackio SQLite: check and backup of a project database with 1M metric rows';

const RUNS = 10;
const STEPS = process.env.BENCH_QUICK ? 20_000 : 100_000;
/** The check with every cell validated may take at most this many times the json_valid count. */
const TARGET_VS_JSON_VALID = 2;
const verdict = (ok) => (ok ? 'PASS' : 'OVER');
const sqliteParts = fileURLToPath(new URL('../lib/sqliteParts.mjs', import.meta.url));

/** Wall and CPU seconds and peak RSS of one command, from GNU time; the best (least CPU) of `n`. */
function timed(n, cmd, args, env) {
  let best;
  for (let i = 0; i < n; i++) {
    const stats = join(tmpdir(), `bench-sqlite-${process.pid}-${i}`);
    const r = spawnSync('/usr/bin/time', ['-f', '%e %U %S %M', '-o', stats, cmd, ...args], { stdio: ['ignore', 'ignore', 'pipe'], env: env ? { ...process.env, ...env } : process.env });
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
  const check = timed(2, process.execPath, [bin, 'check', dataDir, '--json']);
  add('trackio-fsck check (quick_check + every JSON cell validated)', check);
  const twoThreads = timed(2, process.execPath, [bin, 'check', dataDir, '--json'], { TRACKIO_FSCK_WORKERS: '1' });
  add('trackio-fsck check, quick_check and the index comparison on a worker thread (TRACKIO_FSCK_WORKERS=1)', twoThreads);
  // The anchors of issue 15: SQLite's own JSON check of every metrics cell, and quick_check.
  const jsonValid = timed(2, 'sqlite3', [db, 'select count(*) from metrics where json_valid(metrics) = 0']);
  const quick = timed(2, 'sqlite3', [db, 'PRAGMA quick_check']);
  const vsJsonValid = check.cpu / jsonValid.cpu;
  out.push({ name: `sqlite3 db 'select count(*) ... json_valid(metrics) = 0'`, value: jsonValid.cpu, unit: 's CPU', note: `${jsonValid.wall.toFixed(2)} s wall` });
  out.push({ name: '  check on two threads / json_valid count', value: twoThreads.cpu / jsonValid.cpu, unit: 'x CPU' });
  out.push({ name: '  check / json_valid count', value: vsJsonValid, unit: 'x CPU', note: `target <= ${TARGET_VS_JSON_VALID}x: ${verdict(vsJsonValid <= TARGET_VS_JSON_VALID)} (check also runs quick_check: ${(quick.cpu / jsonValid.cpu).toFixed(2)}x alone, the index comparison and Node's start; see the parts below)` });
  // Where the check's time goes: each part in one process, on the same SQLite library, beside the
  // same json_valid count (best of 2 by the total).
  let parts;
  for (let i = 0; i < 2; i++) {
    const r = spawnSync(process.execPath, [sqliteParts, db], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`sqliteParts failed: ${r.stderr}`);
    const p = JSON.parse(r.stdout);
    const total = (x) => x.jsonValidCount + x.cellScan + x.quickCheck + x.indexComparison + x.runSignatures;
    if (!parts || total(p) < total(parts)) parts = p;
  }
  const base = parts.jsonValidCount;
  out.push({ name: '  parts: json_valid count, in-process', value: base / 1000, unit: 's CPU', note: 'better-sqlite3\'s SQLite, the base of the ratios below' });
  const cellRatio = parts.cellScan / base;
  out.push({ name: '  parts: every cell validated (rowsNeedingJs)', value: parts.cellScan / 1000, unit: 's CPU', note: `${cellRatio.toFixed(2)}x the json_valid count; target <= ${TARGET_VS_JSON_VALID}x: ${verdict(cellRatio <= TARGET_VS_JSON_VALID)}` });
  for (const [name, key] of [['quick_check', 'quickCheck'], ['index comparison (checkIndexes)', 'indexComparison'], ['run fingerprints (runSignatures)', 'runSignatures']]) {
    out.push({ name: `  parts: ${name}`, value: parts[key] / 1000, unit: 's CPU', note: `${(parts[key] / base).toFixed(2)}x the json_valid count` });
  }
  out.push({ name: '  parts: quick_check + index comparison + cells, one thread', value: parts.oneThreadCpu / 1000, unit: 's CPU', note: `${(parts.oneThreadWall / 1000).toFixed(2)} s wall` });
  out.push({ name: '  parts: the same, structure on a worker thread (TRACKIO_FSCK_WORKERS=1)', value: parts.twoThreadsCpu / 1000, unit: 's CPU', note: `${(parts.twoThreadsWall / 1000).toFixed(2)} s wall (every thread's CPU)` });
  out.push({ name: '  load average', value: loadavg()[0], unit: '', note: 'the machine may be shared: CPU seconds are the fair measure' });
  out.push({ name: '  check / quick_check', value: check.cpu / quick.cpu, unit: 'x CPU', note: `quick_check ${quick.cpu.toFixed(2)} s CPU` });
  add('trackio-fsck check --full (integrity_check + every JSON cell)', timed(2, process.execPath, [bin, 'check', dataDir, '--json', '--full']));
  for (const pragma of ['quick_check', 'integrity_check']) add(`sqlite3 db 'PRAGMA ${pragma}'`, timed(2, 'sqlite3', [db, `PRAGMA ${pragma}`]), 'structure only, no JSON read');
  // Backup: trackio-fsck's snapshot (backup API + integrity_check of the copy + SHA-256 + fsync,
  // and the media) beside the sqlite3 CLI's online backup of the database alone.
  const backups = join(scratch, 'backups');
  const copy = join(scratch, 'sqlite3-backup.db');
  const backupOnce = () => {
    rmSync(backups, { recursive: true, force: true });
    return timed(1, process.execPath, [bin, 'backup', dataDir, '--dest', backups, '--json']);
  };
  const sqliteBackupOnce = () => {
    rmSync(copy, { force: true });
    return timed(1, 'sqlite3', [db, `.backup ${copy}`]);
  };
  const best = (a, b) => (a.cpu <= b.cpu ? a : b);
  const backupRows = (name, m, note) => out.push({ name, value: m.cpu, unit: 's CPU', note: `${m.wall.toFixed(2)} s wall; ${m.rssMB.toFixed(0)} MB peak RSS; exit ${m.code}${note ? `; ${note}` : ''}` });
  backupRows('trackio-fsck backup (backup API, integrity_check of the copy, hashed, durable)', best(backupOnce(), backupOnce()));
  backupRows(`sqlite3 db '.backup x'`, best(sqliteBackupOnce(), sqliteBackupOnce()), 'copy only: not checked, not fsynced');
  return { rows: out };
}
