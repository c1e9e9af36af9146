import { existsSync, writeFileSync } from 'node:fs';

/**
 * Crash testing, one grammar for every command: TRACKIO_FSCK_FAULT=<point>[:<n>] makes the process
 * kill itself with SIGKILL (no cleanup, no finally) the n-th time (default 1st) it passes a durable
 * point. <point> is a point's name (`backup-file`, `renamed-into-place`, ...) or `step`, which counts
 * every point of the process: `step:N` stops at the Nth durable point whatever it is, which is how
 * the tests kill a repair at each instant in turn. TRACKIO_FSCK_FAULT_TRACE=1 prints each point
 * reached (number, name, detail) on stderr. Unset, a point costs one comparison.
 */
const target = parseFault(process.env.TRACKIO_FSCK_FAULT);
/**
 * Concurrency testing: TRACKIO_FSCK_PAUSE=<point>[:<n>] with TRACKIO_FSCK_PAUSE_FILE=<path> makes the
 * process create <path> at that point and wait (at most 60 s) until the test removes it, so a test
 * can start another command while this one is held mid-way.
 */
const pause = parseFault(process.env.TRACKIO_FSCK_PAUSE);
const counts = new Map<string, number>();
let reached = 0;

interface FaultTarget {
  /** A point's name, or 'step' for any point. */
  name: string;
  nth: number;
}

export function parseFault(value: string | undefined): FaultTarget | undefined {
  const m = value ? /^([a-z][a-z0-9-]*)(?::(\d+))?$/.exec(value.trim()) : null;
  if (!m) return undefined;
  const nth = m[2] === undefined ? 1 : Number(m[2]);
  return nth >= 1 ? { name: m[1]!, nth } : undefined;
}

/** A durable point called `name` (stable, kebab-case); `detail` (a path) only shows in the trace. */
export function faultPoint(name: string, detail?: string): void {
  if (pause !== undefined) pauseAt(name);
  if (target === undefined) return;
  reached++;
  const n = (counts.get(name) ?? 0) + 1;
  counts.set(name, n);
  if (process.env.TRACKIO_FSCK_FAULT_TRACE) process.stderr.write(`fault point ${reached}: ${name}${detail ? ` ${detail}` : ''}\n`);
  const hit = target.name === 'step' ? reached === target.nth : target.name === name && n === target.nth;
  if (!hit) return;
  process.kill(process.pid, 'SIGKILL');
  // The signal is delivered before kill() returns on Linux; block anyway so nothing runs after it.
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
}

const pauseCounts = new Map<string, number>();

function pauseAt(name: string): void {
  const file = process.env.TRACKIO_FSCK_PAUSE_FILE;
  const n = (pauseCounts.get(name) ?? 0) + 1;
  pauseCounts.set(name, n);
  if (!file || pause!.name !== name || pause!.nth !== n) return;
  writeFileSync(file, `${process.pid}\n`);
  const cell = new Int32Array(new SharedArrayBuffer(4));
  for (let waited = 0; existsSync(file) && waited < 60_000; waited += 20) Atomics.wait(cell, 0, 0, 20);
}
