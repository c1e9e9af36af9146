// compare of two Trackio projects of 1M metric rows that differ in 1% of rows (half changed, half
// deleted), beside the sqlite3 CLI computing the same two-way difference with ATTACH and EXCEPT.
// CPU seconds (user + sys) beside wall seconds: on a shared machine the wall clock mostly measures the neighbours.
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { timedCpu } from '../lib/measure.mjs';
import { writeProject } from '../../fixtures/build/trackioDb.mjs';

export const title = 'compare: two Trackio projects of 1M metric rows differing in 1% of rows';

const RUNS = 10;
const STEPS = Number(process.env.BENCH_COMPARE_STEPS ?? 100_000);

process.env.SQLITE_USE_URI ??= '1';
const Database = createRequire(import.meta.url)('better-sqlite3');

const timed = timedCpu;

/** Two data dirs: A with log_ids on every row (as Trackio 0.36 writes them), B a copy that then diverged in 1% of rows. */
function makePair(scratch, withLogIds) {
  const a = join(scratch, withLogIds ? 'log-id' : 'no-log-id', 'a');
  const b = join(scratch, withLogIds ? 'log-id' : 'no-log-id', 'b');
  writeProject(a, 'bench', { generation: 'current', runs: RUNS, steps: STEPS, media: false, artifacts: false });
  const db = new Database(join(a, 'bench.db'));
  if (withLogIds) db.exec("UPDATE metrics SET log_id = printf('%032x', id)");
  db.close();
  mkdirSync(b, { recursive: true });
  copyFileSync(join(a, 'bench.db'), join(b, 'bench.db'));
  writeFileSync(join(b, 'bench.lock'), '');
  const dbB = new Database(join(b, 'bench.db'));
  dbB.exec(`UPDATE metrics SET metrics = CAST('{"loss":0.5}' AS BLOB) WHERE id % 200 = 0; DELETE FROM metrics WHERE id % 200 = 100;`);
  dbB.close();
  return { a, b };
}

export async function run({ bin, scratch }) {
  const out = [];
  const rows = RUNS * STEPS;
  // What any compare costs before it reads a row: Node, the CLI's modules, /proc for live writers.
  const tinyA = join(scratch, 'tiny', 'a');
  const tinyB = join(scratch, 'tiny', 'b');
  writeProject(tinyA, 'p', { runs: 1, steps: 3, media: false, artifacts: false });
  writeProject(tinyB, 'p', { runs: 1, steps: 3, media: false, artifacts: false });
  const tiny = timed(3, process.execPath, [bin, 'compare', tinyA, tinyB, '--json']);
  out.push({ name: 'trackio-fsck compare of two 3-row projects (start-up)', value: tiny.cpu, unit: 's CPU', note: `${tiny.wall.toFixed(2)} s wall; ${tiny.rssMB.toFixed(0)} MB peak RSS; exit ${tiny.code}` });
  for (const withLogIds of [true, false]) {
    const { a, b } = makePair(scratch, withLogIds);
    const label = withLogIds ? 'log_id on every row' : 'no log_id (matched by run, step, content)';
    const ours = timed(3, process.execPath, [bin, 'compare', a, b, '--json']);
    const doc = JSON.parse(ours.stdout);
    const t = doc.projects[0].tables.metrics;
    out.push(
      { name: `trackio-fsck compare (${label})`, value: ours.cpu, unit: 's CPU', note: `${ours.wall.toFixed(2)} s wall; ${ours.rssMB.toFixed(0)} MB peak RSS; exit ${ours.code}; ${t.onlyInA} only in A, ${t.onlyInB} only in B, ${t.differ} differ` },
      { name: '  rows/s (CPU, both sides)', value: (2 * rows) / ours.cpu, unit: 'rows/s' },
    );
    const cols = withLogIds ? 'log_id, run_name, step, metrics' : 'run_name, step, metrics';
    const sql = `ATTACH '${join(b, 'bench.db')}' AS b; SELECT count(*) FROM (SELECT ${cols} FROM main.metrics EXCEPT SELECT ${cols} FROM b.metrics); SELECT count(*) FROM (SELECT ${cols} FROM b.metrics EXCEPT SELECT ${cols} FROM main.metrics);`;
    const theirs = timed(3, 'sqlite3', ['-readonly', join(a, 'bench.db'), sql]);
    out.push({ name: `sqlite3 ATTACH + EXCEPT both ways (${label})`, value: theirs.cpu, unit: 's CPU', note: `${theirs.wall.toFixed(2)} s wall; ${theirs.rssMB.toFixed(0)} MB peak RSS; exit ${theirs.code}; rows: ${theirs.stdout.trim().split('\n').join(' / ')}` });
  }
  return { rows: out };
}
