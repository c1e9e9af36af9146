import { readParquetKeys } from './dist/engine/layouts/trackioSqlite/checks/readParquetKeys.js';
const t = process.cpuUsage(); const w = performance.now();
const r = await readParquetKeys(process.argv[2], ['id']);
const u = process.cpuUsage(t);
console.log(`rows=${r.rows} cpu=${((u.user + u.system) / 1e6).toFixed(2)}s wall=${((performance.now() - w) / 1000).toFixed(2)}s rss=${(process.memoryUsage().rss / 2 ** 20).toFixed(0)}MB`);
