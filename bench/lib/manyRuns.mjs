// A data dir of many tiny finished runs, the same files as fixtures/build/dataDir.mjs's writeRun
// (config.json, metrics.jsonl, summary.json, artifacts/model.bin, logs/train.log), written fast
// enough for the 100 000-run rows: every run's bytes are made once and the files are not aged
// (a run with summary.json is never live, whatever its mtimes). About 25 s per 100 000 runs here.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { metricsLines, runId } from '../../fixtures/build/dataDir.mjs';

export function makeManyRuns(root, { runs, steps = 3 }) {
  const dataDir = join(root, '.trackio');
  const files = [
    ['config.json', JSON.stringify({ learning_rate: 0.01, epochs: steps, optimizer: 'Adam' }, null, 2)],
    ['metrics.jsonl', metricsLines(steps)],
    ['summary.json', JSON.stringify({ loss: 2.5 / steps, accuracy: 0.9, steps }, null, 2)],
    ['artifacts/model.bin', Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 31) & 0xff))],
    ['logs/train.log', Array.from({ length: steps }, (_, i) => `epoch ${i} done\n`).join('')],
  ].map(([name, body]) => [name, Buffer.from(body)]);
  mkdirSync(join(dataDir, 'runs'), { recursive: true });
  for (let i = 0; i < runs; i++) {
    const run = join(dataDir, 'runs', runId(i));
    mkdirSync(join(run, 'artifacts'), { recursive: true });
    mkdirSync(join(run, 'logs'));
    for (const [name, body] of files) writeFileSync(join(run, name), body);
  }
  return dataDir;
}
