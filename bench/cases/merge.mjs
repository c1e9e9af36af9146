// merge of an off-site copy into a local Trackio project of 990k metric rows that lost 1% of its rows
// (10 000 to bring, every row with a log_id), beside the sqlite3 CLI inserting the same rows in place
// with ATTACH and NOT IN (no plan, no backup, no journal, no check afterwards). CPU seconds (user +
// sys) beside wall seconds; each run on a fresh copy of the local database.
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { timedCpu } from '../lib/measure.mjs';
import { writeProject } from '../../fixtures/build/trackioDb.mjs';

export const title = 'merge: 10 000 rows from an off-site copy into a 990k-row Trackio project';

const RUNS = 10;
const STEPS = Number(process.env.BENCH_MERGE_STEPS ?? 100_000);

process.env.SQLITE_USE_URI ??= '1';
const Database = createRequire(import.meta.url)('better-sqlite3');

const timed = (n, fresh, cmd, args) => timedCpu(n, cmd, args, fresh);

export async function run({ bin, scratch }) {
  const offsite = join(scratch, 'merge', 'offsite');
  const local = join(scratch, 'merge', 'local');
  const work = join(scratch, 'merge', 'work');
  writeProject(offsite, 'bench', { generation: 'current', runs: RUNS, steps: STEPS, media: false, artifacts: false });
  let db = new Database(join(offsite, 'bench.db'));
  db.exec("UPDATE metrics SET log_id = printf('%032x', id)");
  db.close();
  mkdirSync(local, { recursive: true });
  copyFileSync(join(offsite, 'bench.db'), join(local, 'bench.db'));
  db = new Database(join(local, 'bench.db'));
  db.exec('DELETE FROM metrics WHERE id % 100 = 0; VACUUM');
  db.close();
  const fresh = () => {
    rmSync(work, { recursive: true, force: true });
    mkdirSync(work, { recursive: true });
    copyFileSync(join(local, 'bench.db'), join(work, 'bench.db'));
    writeFileSync(join(work, 'bench.lock'), '');
  };
  const out = [];
  const plan = timed(3, fresh, process.execPath, [bin, 'merge', '-n', offsite, work]);
  out.push({ name: 'trackio-fsck merge -n (the plan: compare, digest of the rows)', value: plan.cpu, unit: 's CPU', note: `${plan.wall.toFixed(2)} s wall; ${plan.rssMB.toFixed(0)} MB peak RSS; exit ${plan.code}` });
  const ours = timed(3, fresh, process.execPath, [bin, 'merge', '-y', offsite, work]);
  out.push({
    name: 'trackio-fsck merge -y (plan, verified backup, fresh copy + insert, rename, plan again)',
    value: ours.cpu,
    unit: 's CPU',
    note: `${ours.wall.toFixed(2)} s wall; ${ours.rssMB.toFixed(0)} MB peak RSS; exit ${ours.code}`,
  });
  const sql = `ATTACH '${join(offsite, 'bench.db')}' AS b; INSERT INTO metrics (run_id, timestamp, run_name, step, metrics, log_id) SELECT run_id, timestamp, run_name, step, metrics, log_id FROM b.metrics WHERE log_id NOT IN (SELECT log_id FROM main.metrics WHERE log_id IS NOT NULL); SELECT changes();`;
  const theirs = timed(3, fresh, 'sqlite3', [join(work, 'bench.db'), sql]);
  out.push({ name: 'sqlite3 ATTACH + INSERT ... NOT IN, in place', value: theirs.cpu, unit: 's CPU', note: `${theirs.wall.toFixed(2)} s wall; ${theirs.rssMB.toFixed(0)} MB peak RSS; rows inserted: ${theirs.stdout.trim()}` });
  return { rows: out };
}
