// Runs one command and measures it the same way for every tool, so rows are comparable side by side.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const GNU_TIME = '/usr/bin/time';

/**
 * Runs `cmd args` (optionally with stdout to /dev/null) under GNU time and returns wall seconds and
 * peak RSS in MB. `shell: true` runs `cmd` as a shell line (for pipes and redirections).
 */
export function measure(cmd, args = [], { cwd, env, shell = false, stdoutToNull = false } = {}) {
  if (!existsSync(GNU_TIME)) throw new Error('the benchmark needs GNU time (/usr/bin/time; Debian package "time")');
  const stats = join(tmpdir(), `bench-time-${process.pid}-${Math.random().toString(36).slice(2)}`);
  const line = shell ? ['bash', '-c', cmd] : [cmd, ...args];
  const started = process.hrtime.bigint();
  const r = spawnSync(GNU_TIME, ['-f', '%e %M %U %S', '-o', stats, ...line], {
    cwd,
    env: { ...process.env, ...env },
    stdio: ['ignore', stdoutToNull ? 'ignore' : 'pipe', 'pipe'],
    maxBuffer: 1024 * 1024 * 256,
    encoding: 'utf8',
  });
  const wall = Number(process.hrtime.bigint() - started) / 1e9;
  const [, rssKb, user, sys] = readFileSync(stats, 'utf8').trim().split('\n').pop().split(' ').map(Number);
  rmSync(stats, { force: true });
  return { seconds: wall, maxRssMB: rssKb / 1024, cpuSeconds: user + sys, code: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

/** Best of `n` runs (least noise from the other core). */
export function bestOf(n, fn) {
  let best;
  for (let i = 0; i < n; i++) {
    const r = fn();
    if (!best || r.seconds < best.seconds) best = r;
  }
  return best;
}

/** Least CPU of `n` runs: on a shared machine CPU seconds are what the neighbours disturb least. */
export function leastCpuOf(n, fn) {
  let best;
  for (let i = 0; i < n; i++) {
    const r = fn();
    if (!best || r.cpuSeconds < best.cpuSeconds) best = r;
  }
  return best;
}

/** measure() in the shape the SQLite cases print: wall and CPU seconds, peak RSS in MB. */
export function timedCpu(n, cmd, args, before = () => {}) {
  const m = leastCpuOf(n, () => (before(), measure(cmd, args)));
  return { wall: m.seconds, cpu: m.cpuSeconds, rssMB: m.maxRssMB, code: m.code, stdout: m.stdout };
}
