// Issue 15's many-small-files targets, measured on one data dir of tiny runs (5 files each):
// peak RSS of check, manifest write and check --fast (flat in the number of files: under 200 MB at
// 100 000 runs), check beside a `find -exec cat` read floor, manifest verify beside sha256sum -c.
// Size: `npm run bench -- --only manifest --rss-runs 100000` (or BENCH_RSS_RUNS=100000), default
// 2000. The runs are written by bench/lib/manyRuns.mjs (about 30 s per 100 000 runs on an idle
// disk). Ratios are of wall time, best of the runs (the convention of every row); the CPU seconds
// (user + system) are in the notes, as the fairer measure on a shared machine.
import { join } from 'node:path';
import { makeManyRuns } from './manyRuns.mjs';

const TARGET_RSS_MB = 200;
const TARGET_VS_CAT = 0.6;
const TARGET_VS_SHA = 1;

/** Runs for the RSS rows: --rss-runs N on the bench's command line, else BENCH_RSS_RUNS, else 2000. */
export function rssRuns(argv = process.argv) {
  const at = argv.indexOf('--rss-runs');
  const n = Number(at >= 0 ? argv[at + 1] : process.env.BENCH_RSS_RUNS ?? 2000);
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`--rss-runs / BENCH_RSS_RUNS: expected a whole number of runs, got ${at >= 0 ? argv[at + 1] : process.env.BENCH_RSS_RUNS}`);
  return n;
}

export function manyFilesRows({ bin, scratch, measure, bestOf }) {
  const runs = rssRuns();
  const node = process.execPath;
  const made = performance.now();
  const dir = makeManyRuns(join(scratch, 'many'), { runs, steps: 3 });
  const makeSeconds = (performance.now() - made) / 1000;
  const rows = [];
  const ok = (r, what) => {
    if (r.code !== 0) throw new Error(`${what} exited ${r.code}: ${r.stderr.slice(0, 500)}`);
    return r;
  };
  const cpu = (r) => `${r.cpuSeconds.toFixed(2)} s CPU`;
  const rss = (name, r, extra = '') => ({
    name: `${name}, ${runs} runs, peak RSS`,
    value: r.maxRssMB,
    unit: 'MB',
    note: `${r.seconds.toFixed(2)} s, ${cpu(r)}${extra}; target < ${TARGET_RSS_MB} MB at any size (stated at 100 000 runs): ${r.maxRssMB < TARGET_RSS_MB ? 'met' : 'OVER'}`,
  });

  // The read floor first: it also warms the page cache for everything after it.
  const floor = bestOf(3, () => measure('sh', ['-c', 'find "$1" -type f -exec cat {} + > /dev/null', 'sh', dir]));
  const check = ok(bestOf(3, () => measure(node, [bin, 'check', dir, '--json', '--live-window', '0'], { stdoutToNull: true })), 'check');
  rows.push(rss('check', check, `, data made in ${makeSeconds.toFixed(0)} s, no manifest`));
  const vsCat = floor.seconds / check.seconds;
  rows.push({ name: `check / find -exec cat, ${runs * 5} files`, value: vsCat, unit: 'x', note: `floor ${floor.seconds.toFixed(2)} s (${cpu(floor)}), check ${check.seconds.toFixed(2)} s (${cpu(check)}); target >= ${TARGET_VS_CAT}x: ${vsCat >= TARGET_VS_CAT ? 'met' : 'OVER'}` });
  const write = ok(measure(node, [bin, 'manifest', 'write', dir, '--json', '--live-window', '0'], { stdoutToNull: true }), 'manifest write');
  rows.push(rss('manifest write', write, ', no manifest before'));
  const rewrite = ok(measure(node, [bin, 'manifest', 'write', dir, '--json', '--live-window', '0'], { stdoutToNull: true }), 'manifest write');
  rows.push(rss('manifest write over a manifest', rewrite));
  const withManifest = ok(measure(node, [bin, 'check', dir, '--json', '--live-window', '0'], { stdoutToNull: true }), 'check with a manifest');
  rows.push(rss('check with a manifest', withManifest));
  const fast = ok(measure(node, [bin, 'check', dir, '--fast', '--json', '--live-window', '0'], { stdoutToNull: true }), 'check --fast');
  rows.push(rss('check --fast', fast));
  const verify = ok(bestOf(3, () => measure(node, [bin, 'manifest', 'verify', dir, '--json'], { stdoutToNull: true })), 'manifest verify');
  const sum = ok(bestOf(3, () => measure('sha256sum', ['--strict', '--quiet', '-c', 'manifest-sha256.txt'], { cwd: dir, stdoutToNull: true })), 'sha256sum -c');
  const vsSha = sum.seconds / verify.seconds;
  rows.push({ name: `manifest verify / sha256sum -c, ${runs * 5} small files`, value: vsSha, unit: 'x', note: `${verify.seconds.toFixed(2)} s (${cpu(verify)}) against ${sum.seconds.toFixed(2)} s (${cpu(sum)}), ${verify.maxRssMB.toFixed(0)} MB RSS; target >= ${TARGET_VS_SHA}x: ${vsSha >= TARGET_VS_SHA ? 'met' : 'OVER'}` });
  return rows;
}
