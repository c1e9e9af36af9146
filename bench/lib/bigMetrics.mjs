// Writes a large metrics.jsonl fast: the same line shape as fixtures/build/dataDir.mjs
// metricsRecord (Python's json.dumps separators), built with a template instead of
// JSON.stringify + replace, in big batches.
import { closeSync, openSync, writeSync } from 'node:fs';
import { metricsRecord } from '../../fixtures/build/dataDir.mjs';

const STAMPS = Array.from({ length: 60 }, (_, s) => new Date(Date.UTC(2026, 0, 1, 10, 30, s)).toISOString());

let lastLoss = NaN;
let lossAndAccuracy = '';

/** The line metricsRecord(step) makes, without its cost (the loss changes slowly: its text is reused). */
export function fastRecord(step) {
  const loss = Math.round((2.5 / (step + 1)) * 1e6) / 1e6;
  if (loss !== lastLoss) {
    lastLoss = loss;
    lossAndAccuracy = `, "loss": ${loss}, "accuracy": ${Math.round((1 - loss / 3) * 1e6) / 1e6}}`;
  }
  return `{"step": ${step}, "timestamp": "${STAMPS[step % 60]}"${lossAndAccuracy}`;
}

/** Appends lines until the file holds at least `bytes`; returns { bytes, lines }. */
export function writeBigMetrics(file, bytes) {
  // The template must stay byte-identical to the fixture builder's records.
  for (const step of [0, 1, 7, 59, 60, 12345, 9_999_999]) {
    if (fastRecord(step) !== metricsRecord(step)) throw new Error(`fastRecord(${step}) differs from metricsRecord`);
  }
  return writeLines(file, bytes, fastRecord);
}

/** Writes `line(0)`, `line(1)`, ... (one per line, in 8 MiB batches) until the file holds at least `bytes`; returns { bytes, lines }. */
export function writeLines(file, bytes, line) {
  const fd = openSync(file, 'w');
  let written = 0;
  let step = 0;
  try {
    while (written < bytes) {
      let batch = '';
      while (batch.length < 8 * 1024 * 1024) batch += line(step++) + '\n';
      written += writeSync(fd, batch);
    }
  } finally {
    closeSync(fd);
  }
  return { bytes: written, lines: step };
}
