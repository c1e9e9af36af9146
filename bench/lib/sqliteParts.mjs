// The parts of a SQLite check, each timed in CPU milliseconds in one process on one connection
// (the same SQLite library), beside the json_valid count it is compared with: where the check's
// time goes. Usage: node sqliteParts.mjs <project.db>; prints one JSON object.
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const dist = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist', 'engine', 'layouts', 'trackioSqlite');
const [file] = process.argv.slice(2);
const { loadSqlite } = await import(join(dist, 'loadSqlite.js'));
const { rowsNeedingJs } = await import(join(dist, 'rowsNeedingJs.js'));
const { checkIndexes } = await import(join(dist, 'checkIndexes.js'));
const { runSignatures } = await import(join(dist, 'checks', 'runSignatures.js'));
const { JSON_COLUMNS } = await import(join(dist, 'trackioSchema.js'));
const { structureProblems } = await import(join(dist, 'structureProblems.js'));
const { structureInBackground } = await import(join(dist, 'structureInBackground.js'));

const Database = loadSqlite();
const db = new Database(file, { readonly: true });
const cpuMs = (fn) => {
  const t = process.cpuUsage();
  fn();
  const u = process.cpuUsage(t);
  return (u.user + u.system) / 1000;
};
const spec = JSON_COLUMNS.find((s) => s.table === 'metrics');
const columns = new Set(db.prepare("SELECT name FROM pragma_table_info('metrics')").pluck().all());
const select = ['rowid', 'run_name', 'step', '"metrics"', 'NULL', 'NULL'];
const parts = {
  jsonValidCount: cpuMs(() => db.prepare('SELECT count(*) FROM metrics WHERE json_valid(metrics) = 0').pluck().get()),
  cellScan: cpuMs(() => {
    const tally = { rows: 0, runs: new Set(), doneThrough: -Infinity };
    for (const row of rowsNeedingJs(db, spec, select, true, true, tally)) void row;
  }),
  quickCheck: cpuMs(() => db.prepare('PRAGMA quick_check(100)').pluck().all()),
  indexComparison: cpuMs(() => checkIndexes(db, ['metrics'])),
  runSignatures: cpuMs(() => runSignatures(db, columns)),
};
// The check's three big parts in sequence and as check runs them on two cores (quick_check and the
// index comparison on a worker's second connection while the cells are scanned): process CPU
// (every thread) and wall milliseconds.
const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all();
const cellScan = () => {
  const tally = { rows: 0, runs: new Set(), doneThrough: -Infinity };
  for (const row of rowsNeedingJs(db, spec, select, true, true, tally)) void row;
};
const both = async (fn) => {
  const t = process.cpuUsage();
  const w = performance.now();
  await fn();
  const u = process.cpuUsage(t);
  return { cpu: (u.user + u.system) / 1000, wall: performance.now() - w };
};
const oneThread = await both(() => {
  structureProblems(db, tables, false);
  cellScan();
});
const twoThreads = await both(async () => {
  const background = structureInBackground(db, tables, false);
  cellScan();
  await background;
});
Object.assign(parts, { oneThreadCpu: oneThread.cpu, oneThreadWall: oneThread.wall, twoThreadsCpu: twoThreads.cpu, twoThreadsWall: twoThreads.wall });
db.close();
process.stdout.write(JSON.stringify(parts) + '\n');
