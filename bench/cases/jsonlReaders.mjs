// Why trackio-fsck splits JSONL itself instead of using stream-json's JSONL parser: throughput on
// the same file, and what each can tell about damage. Env: BENCH_READERS_MB (default 256 MiB).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { metricsRecord } from '../../fixtures/build/dataDir.mjs';
import { writeBigMetrics } from '../lib/bigMetrics.mjs';

export const title = 'metrics.jsonl readers: our splitter and scanner vs stream-json JSONL';

const MB = 1e6;
const scanWith = fileURLToPath(new URL('../lib/scanWith.mjs', import.meta.url));

/** What stream-json's JSONL parser yields for `text`: its items, or the error it throws. */
async function streamJsonSees(text) {
  const { default: parser } = await import('stream-json/jsonl/parser.js');
  const items = [];
  try {
    await new Promise((resolve, reject) => {
      Readable.from([Buffer.from(text)]).pipe(parser.asStream()).on('data', (d) => items.push(d.key)).on('end', resolve).on('error', reject);
    });
    return { items };
  } catch (err) {
    return { items, error: err.message.split('\n')[0] };
  }
}

export async function run({ scratch, measure }) {
  mkdirSync(scratch, { recursive: true });
  const file = join(scratch, 'metrics.jsonl');
  const { bytes, lines } = writeBigMetrics(file, Number(process.env.BENCH_READERS_MB ?? 256) * 1024 * 1024);
  const rows = [{ name: 'file', value: bytes / MB, unit: 'MB', note: `${lines.toLocaleString('en')} healthy lines` }];
  const modes = [
    ['split', 'our splitter alone (indexOf per line, + SHA-256)'],
    ['scanner', 'JsonlScanner, one thread: hash + parse + schema + findings'],
    ['parallel', 'JsonlScanner on worker threads (check above 32 MiB, when the cores are free)'],
    ['stream-json', 'stream-json/jsonl/parser.js asStream: parse only, no hash, no schema'],
  ];
  for (const [mode, what] of modes) {
    measure('cat', [file], { stdoutToNull: true });
    const r = measure(process.execPath, [scanWith, mode, file]);
    if (r.code !== 0) throw new Error(`${mode} failed: ${r.stderr.slice(0, 400)}`);
    const seen = JSON.parse(r.stdout).lines;
    if (seen !== lines) throw new Error(`${mode} saw ${seen} lines, not ${lines}`);
    rows.push({ name: mode, value: bytes / MB / r.seconds, unit: 'MB/s', note: `${what}; peak RSS ${r.maxRssMB.toFixed(0)} MB` });
  }

  // What each reader can say about the damage a crash leaves.
  const a = metricsRecord(0);
  const b = metricsRecord(1);
  const cut = await streamJsonSees(`${a}\n${b}\n${metricsRecord(2).slice(0, 20)}`);
  rows.push({ name: 'stream-json, cut-off last line', value: cut.error ? 'throws' : 'no error', unit: '', note: `${cut.error ?? ''} (after ${cut.items.length} items; no line number, no byte offset; check says jsonl/truncated-tail at line 3, offset ${a.length + b.length + 2})` });
  const [withNl, withoutNl] = [await streamJsonSees(`${a}\n${b}\n`), await streamJsonSees(`${a}\n${b}`)];
  const same = JSON.stringify(withNl) === JSON.stringify(withoutNl);
  rows.push({ name: 'stream-json, missing final newline', value: same ? 'invisible' : 'visible', unit: '', note: `same items with and without the last newline: ${same}; check says jsonl/missing-final-newline` });
  const blank = await streamJsonSees(`${a}\n\n${b}\n`);
  rows.push({ name: 'stream-json, blank line', value: blank.items.join(','), unit: 'keys', note: 'the blank line is skipped and the keys renumber: the key is not the line number' });
  return { rows };
}
