// check of one large metrics.jsonl per line shape real writers produce (bench/lib/lineShapes.mjs:
// json.dumps, orjson, exponents, bare NaN, media objects, a mix), each beside jq and sha256sum on
// the same file; then the mix with the machine idle and with one other core busy (`yes`).
// Env: BENCH_SHAPE_MB (default 256 MiB per shape; BENCH_QUICK=1 makes it 64).
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { ageTree, runId } from '../../fixtures/build/dataDir.mjs';
import { SHAPES, writeShapedMetrics } from '../lib/lineShapes.mjs';

export const title = 'check: one large metrics.jsonl per real-writer line shape, next to jq and sha256sum; idle vs one busy core';

const MB = 1e6;
const TARGET_VS_JQ = 5;
const TARGET_VS_SHA = 0.5;
/** The same check with one other core busy may take at most this much longer. */
const TARGET_BUSY_SLOWDOWN = 1.15;

const verdict = (ok) => (ok ? 'PASS' : 'OVER');

function have(tool) {
  return spawnSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' }).status === 0;
}

/** Healthy data: no error, and no warning but the bare NaN tokens of the nan and mix shapes. */
function checkReport(r, what) {
  if (r.code !== 0) throw new Error(`check of ${what} exited ${r.code}: ${r.stderr.slice(0, 500)}`);
  const report = JSON.parse(r.stdout);
  const other = report.findings.filter((f) => f.code !== 'jsonl/nonfinite-number');
  if (report.summary.errors !== 0 || other.length > 0) throw new Error(`check of ${what} found damage in healthy data: ${JSON.stringify(other[0])}`);
  return report;
}

export async function run({ scratch, bin, measure, bestOf }) {
  const shapeBytes = Number(process.env.BENCH_SHAPE_MB ?? (process.env.BENCH_QUICK ? 64 : 256)) * 1024 * 1024;
  const jq = have('jq');
  const rows = [];
  const checkArgs = (dir) => [bin, 'check', dir, '--json', '--live-window', '0'];
  let mixDir;
  let mixBytes = 0;
  for (const shape of Object.keys(SHAPES)) {
    const dir = join(scratch, shape, '.trackio');
    const run = join(dir, 'runs', runId(0));
    mkdirSync(run, { recursive: true });
    const file = join(run, 'metrics.jsonl');
    const made = writeShapedMetrics(file, shapeBytes, shape);
    writeFileSync(join(run, 'config.json'), JSON.stringify({ learning_rate: 3e-5 }));
    writeFileSync(join(run, 'summary.json'), JSON.stringify({ steps: made.lines }));
    ageTree(run);
    measure('cat', [file], { stdoutToNull: true }); // page cache warm for every tool alike
    const sha = bestOf(2, () => measure('sha256sum', [file], { stdoutToNull: true }));
    const check = bestOf(2, () => measure(process.execPath, checkArgs(dir)));
    checkReport(check, `the ${shape} file`);
    const single = measure(process.execPath, checkArgs(dir), { env: { TRACKIO_FSCK_WORKERS: '0' } });
    checkReport(single, `the ${shape} file on one thread`);
    const rate = made.bytes / MB / check.seconds;
    const vsSha = sha.seconds / check.seconds;
    // CPU seconds beside wall seconds: on a shared machine the wall clock also measures the neighbours.
    rows.push({ name: `check, ${shape}`, value: rate, unit: 'MB/s', note: `${(made.bytes / MB).toFixed(0)} MB, ${made.lines.toLocaleString('en')} lines in ${check.seconds.toFixed(2)} s (${check.cpuSeconds.toFixed(2)} s CPU); peak RSS ${check.maxRssMB.toFixed(0)} MB` });
    rows.push({ name: `  / sha256sum, ${shape}`, value: vsSha, unit: 'x', note: `sha256sum ${(made.bytes / MB / sha.seconds).toFixed(0)} MB/s (${sha.cpuSeconds.toFixed(2)} s CPU); target >= ${TARGET_VS_SHA}x: ${verdict(vsSha >= TARGET_VS_SHA)}` });
    rows.push({ name: `  one thread, CPU / sha256sum CPU, ${shape}`, value: sha.cpuSeconds / single.cpuSeconds, unit: 'x CPU', note: `TRACKIO_FSCK_WORKERS=0: ${single.cpuSeconds.toFixed(2)} s CPU, ${single.seconds.toFixed(2)} s wall (the load-independent view; Node's start included)` });
    if (jq) {
      // jq reads bare NaN as a number (it prints null): it parses every shape.
      const q = measure('jq', ['-c', '.', file], { stdoutToNull: true });
      const vsJq = q.seconds / check.seconds;
      rows.push({ name: `  / jq -c ., ${shape}`, value: vsJq, unit: 'x', note: `jq ${(made.bytes / MB / q.seconds).toFixed(0)} MB/s (${q.cpuSeconds.toFixed(2)} s CPU); target >= ${TARGET_VS_JQ}x: ${verdict(vsJq >= TARGET_VS_JQ)}` });
    }
    if (shape === 'mix') {
      mixDir = dir;
      mixBytes = made.bytes;
    } else {
      rmSync(join(scratch, shape), { recursive: true, force: true });
    }
  }
  if (!jq) rows.push({ name: 'jq', value: 'n/a', unit: '', note: 'jq is not installed: no jq rows' });

  // Idle, then with `yes > /dev/null` keeping one core busy, alternately (the machine may be shared).
  const idle = [];
  const busy = [];
  for (let i = 0; i < 3; i++) {
    const quiet = measure(process.execPath, checkArgs(mixDir));
    checkReport(quiet, 'the mix, idle');
    idle.push(quiet.seconds);
    const yes = spawn('sh', ['-c', 'exec yes > /dev/null'], { stdio: 'ignore' });
    try {
      busy.push(measure(process.execPath, checkArgs(mixDir)).seconds);
    } finally {
      yes.kill();
    }
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const slowdown = median(busy) / median(idle);
  rows.push({ name: 'check, mix, idle', value: mixBytes / MB / median(idle), unit: 'MB/s', note: `median of ${idle.length}: ${median(idle).toFixed(2)} s` });
  rows.push({ name: 'check, mix, one other core busy', value: mixBytes / MB / median(busy), unit: 'MB/s', note: `median of ${busy.length} with \`yes > /dev/null\` running: ${median(busy).toFixed(2)} s` });
  rows.push({ name: '  busy / idle', value: slowdown, unit: 'x time', note: `target <= ${TARGET_BUSY_SLOWDOWN}x: ${verdict(slowdown <= TARGET_BUSY_SLOWDOWN)}; load average ${loadavg()[0].toFixed(1)} at the end (on a shared machine "idle" is not idle: this row means something only on a quiet one)` });
  return { rows };
}
