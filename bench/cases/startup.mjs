// Start-up: `--version` and `check` of an empty data dir, beside `node -e 0` in the same run (the
// runs interleaved, so a neighbour's load falls on all three alike). Medians of BENCH_STARTUP_RUNS.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

export const title = 'start-up: --version and check of an empty data dir, beside node -e 0';

const RUNS = Number(process.env.BENCH_STARTUP_RUNS ?? 20);
/** Issue 15's targets (ms, wall): what `node -e 0` takes on an idle machine is ~60 ms of them. */
const TARGET_VERSION_MS = 80;
const TARGET_CHECK_MS = 120;

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function run({ bin, scratch, measure }) {
  const empty = join(scratch, 'empty', '.trackio');
  mkdirSync(join(empty, 'runs'), { recursive: true });
  const node = process.execPath;
  const cases = {
    node: [node, ['-e', '0']],
    version: [node, [bin, '--version']],
    check: [node, [bin, 'check', empty, '--live-window', '0']],
  };
  const wall = { node: [], version: [], check: [] };
  const cpu = { node: [], version: [], check: [] };
  for (let i = 0; i < RUNS; i++) {
    for (const [name, [cmd, args]] of Object.entries(cases)) {
      const r = measure(cmd, args, { stdoutToNull: true });
      if (r.code !== 0) throw new Error(`${name} exited ${r.code}: ${r.stderr}`);
      wall[name].push(r.seconds * 1000);
      cpu[name].push(r.cpuSeconds * 1000);
    }
  }
  const m = (name) => median(wall[name]);
  const c = (name) => median(cpu[name]);
  const row = (name, label, target) => ({
    name: label,
    value: m(name),
    unit: 'ms',
    note: `median of ${RUNS}; ${c(name).toFixed(0)} ms CPU; ${(m(name) - m('node')).toFixed(0)} ms over node -e 0; target < ${target} ms: ${m(name) < target ? 'PASS' : 'OVER'}`,
  });
  return {
    rows: [
      { name: 'node -e 0', value: m('node'), unit: 'ms', note: `median of ${RUNS}; ${c('node').toFixed(0)} ms CPU; the floor` },
      row('version', 'trackio-fsck --version', TARGET_VERSION_MS),
      row('check', 'trackio-fsck check, empty data dir', TARGET_CHECK_MS),
    ],
  };
}
