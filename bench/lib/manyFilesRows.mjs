// Issue 15's many-small-files targets, measured on one data dir of tiny runs (5 files each):
// peak RSS of check, manifest write and check --fast (flat in the number of files: under 200 MB at
// 100 000 runs), check beside a `find -exec cat` read floor, manifest verify beside sha256sum -c.
// Env: BENCH_RSS_RUNS (default 2000; BENCH_RSS_RUNS=100000 is the target's size, ~10 min to make).
import { join } from 'node:path';
import { makeDataDir } from '../../fixtures/build/dataDir.mjs';

const TARGET_RSS_MB = 200;
const TARGET_VS_CAT = 0.6;
const TARGET_VS_SHA = 1;

export function manyFilesRows({ bin, scratch, measure, bestOf }) {
  const runs = Number(process.env.BENCH_RSS_RUNS ?? 2000);
  const node = process.execPath;
  const made = performance.now();
  const dir = makeDataDir(join(scratch, 'many'), { runs, steps: 3 });
  const makeSeconds = (performance.now() - made) / 1000;
  const rows = [];
  const ok = (r, what) => {
    if (r.code !== 0) throw new Error(`${what} exited ${r.code}: ${r.stderr.slice(0, 500)}`);
    return r;
  };
  const rss = (name, r, extra = '') => ({
    name: `${name}, ${runs} runs, peak RSS`,
    value: r.maxRssMB,
    unit: 'MB',
    note: `${r.seconds.toFixed(2)} s${extra}; target < ${TARGET_RSS_MB} MB at any size (stated at 100 000 runs): ${r.maxRssMB < TARGET_RSS_MB ? 'met' : 'OVER'}`,
  });

  // The read floor first: it also warms the page cache for everything after it.
  const floor = bestOf(2, () => measure('sh', ['-c', 'find "$1" -type f -exec cat {} + > /dev/null', 'sh', dir]));
  const check = ok(bestOf(2, () => measure(node, [bin, 'check', dir, '--json', '--live-window', '0'], { stdoutToNull: true })), 'check');
  rows.push(rss('check', check, `, data made in ${makeSeconds.toFixed(0)} s, no manifest`));
  const vsCat = floor.seconds / check.seconds;
  rows.push({ name: `check / find -exec cat, ${runs * 5} files`, value: vsCat, unit: 'x', note: `floor ${floor.seconds.toFixed(2)} s; target >= ${TARGET_VS_CAT}x: ${vsCat >= TARGET_VS_CAT ? 'met' : 'OVER'}` });
  const write = ok(measure(node, [bin, 'manifest', 'write', dir, '--json', '--live-window', '0'], { stdoutToNull: true }), 'manifest write');
  rows.push(rss('manifest write', write));
  const withManifest = ok(measure(node, [bin, 'check', dir, '--json', '--live-window', '0'], { stdoutToNull: true }), 'check with a manifest');
  rows.push(rss('check with a manifest', withManifest));
  const fast = ok(measure(node, [bin, 'check', dir, '--fast', '--json', '--live-window', '0'], { stdoutToNull: true }), 'check --fast');
  rows.push(rss('check --fast', fast));
  const verify = ok(bestOf(2, () => measure(node, [bin, 'manifest', 'verify', dir, '--json'], { stdoutToNull: true })), 'manifest verify');
  const sum = ok(bestOf(2, () => measure('sha256sum', ['--strict', '--quiet', '-c', 'manifest-sha256.txt'], { cwd: dir, stdoutToNull: true })), 'sha256sum -c');
  const vsSha = sum.seconds / verify.seconds;
  rows.push({ name: `manifest verify / sha256sum -c, ${runs * 5} small files`, value: vsSha, unit: 'x', note: `${verify.seconds.toFixed(2)} s against ${sum.seconds.toFixed(2)} s, ${verify.maxRssMB.toFixed(0)} MB RSS; target >= ${TARGET_VS_SHA}x: ${vsSha >= TARGET_VS_SHA ? 'met' : 'OVER'}` });
  return rows;
}
