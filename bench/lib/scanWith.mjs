// One way of reading a metrics.jsonl, run as its own process by bench/cases/jsonlReaders.mjs so
// that time and peak RSS are its alone. Usage: node scanWith.mjs <mode> <metrics.jsonl>
import { createReadStream } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const dist = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist');
const [mode, file] = process.argv.slice(2);
const { JsonlScanner } = await import(join(dist, 'engine/layouts/runDirectory/kinds/JsonlScanner.js'));
const { readFileOnce } = await import(join(dist, 'engine/fs/readFileOnce.js'));
const { scanJsonlParallel, closeWorkerPool } = await import(join(dist, 'engine/layouts/runDirectory/parallel/scanJsonlParallel.js'));
const { parallelConfig } = await import(join(dist, 'engine/layouts/runDirectory/parallel/parallelConfig.js'));

async function scanner() {
  let findings = 0;
  const s = new JsonlScanner({ run: 'r', path: 'metrics.jsonl' }, () => findings++);
  await readFileOnce(file, (c) => s.push(c));
  return { lines: s.end().lines, findings };
}

async function parallel() {
  let findings = 0;
  const r = await scanJsonlParallel(file, { run: 'r', path: 'metrics.jsonl', live: false, config: { ...parallelConfig(Number.MAX_SAFE_INTEGER), minBytes: 0, workers: availableParallelism() } }, () => findings++);
  return { lines: r.summary.lines, findings };
}

/** Our splitter alone (indexOf per line), no decoding or parsing: what splitting costs. */
async function split() {
  let lines = 0;
  await readFileOnce(file, (c) => {
    for (let p = c.indexOf(10); p !== -1; p = c.indexOf(10, p + 1)) lines++;
  });
  return { lines };
}

/** stream-json's JSONL parser (JSON.parse per line, items numbered, no offsets), parse only. */
async function streamJson() {
  const { default: parser } = await import('stream-json/jsonl/parser.js');
  let lines = 0;
  await new Promise((resolve, reject) => {
    createReadStream(file, { highWaterMark: 1024 * 1024 })
      .pipe(parser.asStream())
      .on('data', () => lines++)
      .on('end', resolve)
      .on('error', reject);
  });
  return { lines };
}

const modes = {
  scanner,
  parallel,
  split,
  'stream-json': streamJson,
};
if (!modes[mode]) throw new Error(`unknown mode ${mode}`);
const result = await modes[mode]();
await closeWorkerPool();
process.stdout.write(JSON.stringify(result) + '\n');
