// trackio-fsck check on one large metrics.jsonl (>= 1 GiB by default) and on many small runs,
// side by side in one run with sha256sum (hashing only) and jq (parsing only) on the same file.
// Env: BENCH_BIG_MB (default 1024 MiB), BENCH_SMALL_RUNS (default 2000).
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { ageTree, makeDataDir, runId } from '../../fixtures/build/dataDir.mjs';
import { writeBigMetrics } from '../lib/bigMetrics.mjs';

export const title = 'check: one large metrics.jsonl and many small runs, next to sha256sum and jq';

const MB = 1e6;
const TARGET_VS_JQ = 5;
const TARGET_VS_SHA = 0.5;
const TARGET_RSS_MB = 150;
const TARGET_VERSION_MS = 150;

function have(tool) {
  return spawnSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' }).status === 0;
}

function checkReport(r, what) {
  if (r.code !== 0) throw new Error(`check of ${what} exited ${r.code}: ${r.stderr.slice(0, 500)}`);
  const report = JSON.parse(r.stdout);
  if (report.summary.errors !== 0 || report.summary.warnings !== 0) throw new Error(`check of ${what} found damage in healthy data`);
  return report;
}

export async function run({ scratch, bin, measure, bestOf }) {
  const bigBytes = Number(process.env.BENCH_BIG_MB ?? 1024) * 1024 * 1024;
  const smallRuns = Number(process.env.BENCH_SMALL_RUNS ?? 2000);
  const rows = [];
  const checkArgs = (dir) => [bin, 'check', dir, '--json', '--live-window', '0'];

  // The data, generated once per bench run (the runner removes the scratch dir afterwards).
  const bigDir = join(scratch, 'big', '.trackio');
  const bigRun = join(bigDir, 'runs', runId(0));
  mkdirSync(bigRun, { recursive: true });
  const genStarted = performance.now();
  const big = writeBigMetrics(join(bigRun, 'metrics.jsonl'), bigBytes);
  writeFileSync(join(bigRun, 'config.json'), JSON.stringify({ learning_rate: 0.01, epochs: big.lines }));
  writeFileSync(join(bigRun, 'summary.json'), JSON.stringify({ loss: 0.0001, steps: big.lines }));
  ageTree(bigRun);
  const smallDir = makeDataDir(join(scratch, 'small'), { runs: smallRuns, steps: 50 });
  const genSeconds = (performance.now() - genStarted) / 1000;
  const file = join(bigRun, 'metrics.jsonl');

  try {
    // Warm the page cache so every tool reads the file from memory, the same way.
    measure('cat', [file], { stdoutToNull: true });

    const sha = bestOf(2, () => measure('sha256sum', [file], { stdoutToNull: true }));
    const check = bestOf(2, () => measure(process.execPath, checkArgs(bigDir)));
    checkReport(check, 'the large file');
    const single = measure(process.execPath, checkArgs(bigDir), { env: { TRACKIO_FSCK_WORKERS: '0' } });
    checkReport(single, 'the large file on one thread');
    const workers = String(availableParallelism());
    const parallel = measure(process.execPath, checkArgs(bigDir), { env: { TRACKIO_FSCK_WORKERS: workers } });
    checkReport(parallel, 'the large file on worker threads');
    const jq = have('jq') ? measure('jq', ['-c', '.', file], { stdoutToNull: true }) : undefined;

    const rate = (r) => big.bytes / MB / r.seconds;
    const checkRate = rate(check);
    rows.push({ name: 'large file', value: big.bytes / MB, unit: 'MB', note: `${big.lines.toLocaleString('en')} lines of metricsRecord shape, generated in ${genSeconds.toFixed(1)} s with ${smallRuns} small runs` });
    rows.push({ name: 'check, large file', value: checkRate, unit: 'MB/s', note: `${check.seconds.toFixed(2)} s, hash + parse + schema; the default: one worker thread per core, the main thread scanning too when the workers are busy` });
    rows.push({ name: 'check, large file, lines', value: big.lines / check.seconds, unit: 'lines/s' });
    rows.push({ name: 'check, large file, peak RSS', value: check.maxRssMB, unit: 'MB', note: `target < ${TARGET_RSS_MB} MB: ${check.maxRssMB < TARGET_RSS_MB ? 'met' : 'NOT met'}` });
    rows.push({ name: 'check, large file, one thread', value: rate(single), unit: 'MB/s', note: `TRACKIO_FSCK_WORKERS=0; peak RSS ${single.maxRssMB.toFixed(0)} MB` });
    rows.push({ name: `check, large file, ${workers} worker threads`, value: rate(parallel), unit: 'MB/s', note: `TRACKIO_FSCK_WORKERS=${workers}; peak RSS ${parallel.maxRssMB.toFixed(0)} MB` });
    rows.push({ name: 'sha256sum, large file', value: rate(sha), unit: 'MB/s', note: `${sha.seconds.toFixed(2)} s, hash only; peak RSS ${sha.maxRssMB.toFixed(0)} MB` });
    if (jq) rows.push({ name: 'jq -c . >/dev/null, large file', value: rate(jq), unit: 'MB/s', note: `${jq.seconds.toFixed(2)} s, parse only; peak RSS ${jq.maxRssMB.toFixed(0)} MB` });
    else rows.push({ name: 'jq -c . >/dev/null, large file', value: 'n/a', unit: '', note: 'jq is not installed' });
    const vsSha = sha.seconds / check.seconds;
    rows.push({ name: 'check / sha256sum', value: vsSha, unit: 'x', note: `target >= ${TARGET_VS_SHA}x: ${vsSha >= TARGET_VS_SHA ? 'met' : 'NOT met'}` });
    if (jq) {
      const vsJq = jq.seconds / check.seconds;
      rows.push({ name: 'check / jq', value: vsJq, unit: 'x', note: `target >= ${TARGET_VS_JQ}x: ${vsJq >= TARGET_VS_JQ ? 'met' : 'NOT met'}` });
    }
  } finally {
    // 1 GiB is worth giving back as soon as it is measured.
    rmSync(file, { force: true });
  }

  const small = bestOf(2, () => measure(process.execPath, checkArgs(smallDir)));
  const smallReport = checkReport(small, 'the small runs');
  rows.push({
    name: 'check, many small runs',
    value: smallRuns / small.seconds,
    unit: 'runs/s',
    note: `${smallRuns} runs, ${smallReport.summary.files} files, ${(smallReport.summary.bytes / MB).toFixed(1)} MB in ${small.seconds.toFixed(2)} s; peak RSS ${small.maxRssMB.toFixed(0)} MB`,
  });

  const versions = Array.from({ length: 10 }, () => measure(process.execPath, [bin, '--version']).seconds * 1000).sort((a, b) => a - b);
  const median = versions[Math.floor(versions.length / 2)];
  rows.push({ name: 'trackio-fsck --version', value: median, unit: 'ms', note: `median of 10 (best ${versions[0].toFixed(0)} ms); target < ${TARGET_VERSION_MS} ms: ${median < TARGET_VERSION_MS ? 'met' : 'NOT met'}` });
  rows.push({ name: 'machine', value: availableParallelism(), unit: 'cores', note: `${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.versions.node}, load average ${loadavg()[0].toFixed(1)} at the end (the machine is shared)` });
  return { rows };
}
