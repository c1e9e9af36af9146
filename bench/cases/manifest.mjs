// Manifest verify beside `sha256sum -c` on the same files, and `check --fast` on 10 000 unchanged runs.
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { makeDataDir, runId } from '../../fixtures/build/dataDir.mjs';
import { manyFilesRows } from '../lib/manyFilesRows.mjs';
import { makeManyRuns } from '../lib/manyRuns.mjs';

export const title = 'Manifests: verify throughput beside sha256sum -c, check --fast on 10 000 unchanged runs';

const BIG_RUNS = Number(process.env.BENCH_MANIFEST_BIG_RUNS ?? 24);
const BIG_MB = Number(process.env.BENCH_MANIFEST_BIG_MB ?? 40);
const SMALL_RUNS = Number(process.env.BENCH_MANIFEST_SMALL_RUNS ?? 10_000);

export async function run(ctx) {
  const { bin, scratch, measure, bestOf } = ctx;
  const rows = [];
  const node = process.execPath;

  // 1. Throughput: runs with checkpoint-sized artifacts, hashed by both tools from the page cache.
  const big = makeDataDir(join(scratch, 'big'), { runs: BIG_RUNS });
  const chunk = Buffer.alloc(1 << 20);
  for (let i = 0; i < chunk.length; i++) chunk[i] = (i * 2654435761) >>> 24;
  for (let r = 0; r < BIG_RUNS; r++) {
    const dir = join(big, 'runs', runId(r), 'artifacts');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'checkpoint.pt'), Buffer.concat(Array.from({ length: BIG_MB }, () => chunk)));
  }
  const write = measure(node, [bin, 'manifest', 'write', big, '--json'], { stdoutToNull: true });
  if (write.code !== 0) throw new Error(`manifest write failed (${write.code}): ${write.stderr}`);
  const totalMB = (BIG_RUNS * (BIG_MB * 1024 * 1024 + 12_000)) / 1e6;
  const ours = bestOf(3, () => measure(node, [bin, 'manifest', 'verify', big, '--json'], { stdoutToNull: true }));
  const theirs = bestOf(3, () => measure('sha256sum', ['--strict', '--quiet', '-c', 'manifest-sha256.txt'], { cwd: big, stdoutToNull: true }));
  if (ours.code !== 0 || theirs.code !== 0) throw new Error(`verify failed: ours ${ours.code} ${ours.stderr} / sha256sum ${theirs.code} ${theirs.stderr}`);
  rows.push({ name: `manifest verify, ${BIG_RUNS} runs, ${Math.round(totalMB)} MB`, value: totalMB / ours.seconds, unit: 'MB/s', note: `${ours.seconds.toFixed(2)} s, ${ours.maxRssMB.toFixed(0)} MB RSS` });
  rows.push({ name: 'sha256sum --strict -c, same files', value: totalMB / theirs.seconds, unit: 'MB/s', note: `${theirs.seconds.toFixed(2)} s, ${theirs.maxRssMB.toFixed(0)} MB RSS` });
  const speed = theirs.seconds / ours.seconds;
  rows.push({ name: 'speed-up over sha256sum -c', value: speed, unit: 'x', note: `${ours.cpuSeconds.toFixed(2)} s CPU against ${theirs.cpuSeconds.toFixed(2)} s; target >= 1x: ${speed >= 1 ? 'met' : 'OVER'}` });

  // 2. The pre-commit hook's case: many small runs, nothing changed since the manifest.
  const small = makeManyRuns(join(scratch, 'small'), { runs: SMALL_RUNS, steps: 5 });
  const smallWrite = measure(node, [bin, 'manifest', 'write', small, '--json'], { stdoutToNull: true });
  if (smallWrite.code !== 0) throw new Error(`manifest write failed (${smallWrite.code}): ${smallWrite.stderr}`);
  const files = SMALL_RUNS * 5;
  rows.push({ name: `manifest write, ${SMALL_RUNS} runs (${files} files)`, value: smallWrite.seconds, unit: 's', note: `a full check pass that also records; ${smallWrite.maxRssMB.toFixed(0)} MB RSS` });
  // check --fast stats every file and directory (the record's listings spare the readdirs) and opens none.
  const fast = bestOf(5, () => measure(node, [bin, 'check', '--fast', small, '--json']));
  if (fast.code !== 0) throw new Error(`check --fast failed (${fast.code}): ${fast.stderr}`);
  const engineMs = JSON.parse(fast.stdout).summary.durationMs;
  rows.push({ name: `check --fast, ${SMALL_RUNS} unchanged runs`, value: fast.seconds, unit: 's', note: `whole command, Node start-up included; ${fast.cpuSeconds.toFixed(2)} s CPU; engine ${engineMs} ms; ${fast.maxRssMB.toFixed(0)} MB RSS` });
  const tiny = bestOf(5, () => measure(node, [bin, 'check', '--fast', makeDataDir(join(scratch, 'tiny'), { runs: 1 }), '--json'], { stdoutToNull: true }));
  rows.push({ name: 'check --fast, 1 run (start-up alone)', value: tiny.seconds, unit: 's', note: 'Node and the engine modules: the floor under every row above' });
  // The pre-commit case: one run logged more steps since the manifest.
  appendFileSync(join(small, 'runs', runId(0), 'metrics.jsonl'), '{"step": 5, "loss": 0.1}\n');
  const grown = bestOf(5, () => measure(node, [bin, 'check', '--fast', small, '--json'], { stdoutToNull: true }));
  rows.push({ name: `check --fast, ${SMALL_RUNS} runs, one appended to`, value: grown.seconds, unit: 's', note: `${grown.cpuSeconds.toFixed(2)} s CPU; the appended file is read, manifest/appended` });
  const smallVerify = bestOf(3, () => measure(node, [bin, 'manifest', 'verify', small, '--json'], { stdoutToNull: true }));
  const smallSum = bestOf(3, () => measure('sha256sum', ['--strict', '--quiet', '-c', 'manifest-sha256.txt'], { cwd: small, stdoutToNull: true }));
  const smallSpeed = smallSum.seconds / smallVerify.seconds;
  // Wall time on a shared machine follows the run queue: the load average says how shared it was.
  const load = loadavg().map((l) => l.toFixed(1)).join(' ');
  rows.push({ name: `manifest verify / sha256sum -c, ${files} small files`, value: smallSpeed, unit: 'x', note: `${smallVerify.seconds.toFixed(2)} s (${smallVerify.cpuSeconds.toFixed(2)} s CPU) against ${smallSum.seconds.toFixed(2)} s (${smallSum.cpuSeconds.toFixed(2)} s CPU), one run appended to; load average ${load}; target >= 1x: ${smallSpeed >= 1 ? 'met' : 'OVER'}` });

  // 3. Memory flat in the number of files, and the per-file cost against the plain tools.
  rows.push(...manyFilesRows({ ...ctx, scratch: join(scratch, 'rss') }));
  return { rows };
}
