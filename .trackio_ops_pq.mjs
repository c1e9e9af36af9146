import { parquetWriteFile } from 'hyparquet-writer';
import { asyncBufferFromFile, parquetMetadataAsync, parquetRead } from 'hyparquet';
const n = Number(process.argv[2] ?? 10);
const id = Array.from({ length: n }, (_, i) => BigInt(i + 1));
parquetWriteFile({
  filename: '/tmp/trackio_ops_test.parquet',
  columnData: [
    { name: 'id', data: id, type: 'INT64', columnIndex: true },
    { name: 'run_id', data: id.map((i) => `run-${i % 3n}`), type: 'STRING' },
    { name: 'timestamp', data: id.map(() => '2026-01-01T10:30:00.000000+00:00'), type: 'STRING' },
    { name: 'step', data: id.map((i) => i), type: 'INT64' },
    { name: 'log_id', data: id.map((i) => (i % 2n ? null : i.toString(16).padStart(32, '0'))), type: 'STRING' },
    { name: 'loss', data: id.map((i) => (i === 3n ? NaN : 1 / Number(i))), type: 'DOUBLE' },
  ],
});
const t = performance.now();
const file = await asyncBufferFromFile('/tmp/trackio_ops_test.parquet');
const md = await parquetMetadataAsync(file);
console.log(md.row_groups.length, md.row_groups[0].columns.map((c) => [c.meta_data.codec, c.meta_data.encodings.join('/')]).slice(0, 2));
let count = 0;
await parquetRead({ file, metadata: md, columns: ['id'], onChunk: (c) => { count += c.columnData.length; } });
console.log(count, (performance.now() - t).toFixed(0), 'ms');
