// Scratch (not committed): a 200k-row project, run-1 renamed (no log_id) and half of it replayed; a metrics parquet of all rows, 1 run deleted after.
import { writeProject } from './fixtures/build/trackioDb.mjs';
import { addLogIds, trackioOperations, exportTable, writeParquetSidecar } from './fixtures/build/trackioOperations.mjs';
import { utimesSync } from 'node:fs';
import { createRequire } from 'node:module';
const Database = createRequire(import.meta.url)('better-sqlite3');
const [dir, kind] = process.argv.slice(2);
writeProject(dir, 'big', { generation: 'current', runs: 4, steps: 50000, media: false, artifacts: false });
addLogIds(dir, 'big');
if (kind === 'dups') {
  const steps = Array.from({ length: 25000 }, (_, i) => i * 2);
  trackioOperations.renameAndReplay(dir, 'big', 'run-1', { steps });
}
if (kind === 'parquet') {
  writeParquetSidecar(`${dir}/big.parquet`, exportTable(dir, 'big', 'metrics', 'metrics'));
  const db = new Database(`${dir}/big.db`); db.exec("DELETE FROM metrics WHERE run_name = 'run-3'"); db.close();
  const old = new Date('2025-01-01'); utimesSync(`${dir}/big.parquet`, old, old);
}
