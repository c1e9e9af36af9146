import { readParquetKeys } from './dist/engine/layouts/trackioSqlite/checks/readParquetKeys.js';
const r = await readParquetKeys('/tmp/trackio_ops_test.parquet', ['id', 'run_id']);
let bad = 0; for (let i = 0; i < r.rows; i++) if (r.keys[i] !== `${i + 1}\0run-${(i + 1) % 3}`) bad++;
console.log(r.rows, 'misplaced', bad, r.keys[123456]);
