import { throwIfInterrupted } from './interrupt.js';
import { existsSync, writeFileSync } from 'node:fs';

/**
 * Crash testing, one grammar for every command: TRACKIO_FSCK_FAULT=<point>[:<n>][@<action>] acts the
 * n-th time (default 1st) the process passes a durable point. <point> is a point's name
 * (`backup-file`, `renamed-into-place`, ...) or `step`, which counts every point of the process:
 * `step:N` stops at the Nth durable point whatever it is, which is how the tests kill a repair at
 * each instant in turn. <action>: `kill` (default) SIGKILLs the process (no cleanup, no finally);
 * `int` sends it SIGINT, as Ctrl-C would; `stop` SIGSTOPs it, so a test can act at that instant
 * (append to a file, send a signal) and then SIGCONT it. TRACKIO_FSCK_FAULT_TRACE=1 prints each
 * point reached (number, name, detail) on stderr. Unset, a point costs one comparison.
 *
 * Every durable point is also where a Ctrl-C during a writing command takes effect (interrupt.ts).
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

export type FaultAction = 'kill' | 'int' | 'stop';

interface FaultTarget {
  /** A point's name, or 'step' for any point. */
  name: string;
  nth: number;
  action: FaultAction;
}

export function parseFault(value: string | undefined): FaultTarget | undefined {
  const m = value ? /^([a-z][a-z0-9-]*)(?::(\d+))?(?:@(kill|int|stop))?$/.exec(value.trim()) : null;
  if (!m) return undefined;
  const nth = m[2] === undefined ? 1 : Number(m[2]);
  return nth >= 1 ? { name: m[1]!, nth, action: (m[3] as FaultAction | undefined) ?? 'kill' } : undefined;
}

/** A durable point called `name` (stable, kebab-case); `detail` (a path) only shows in the trace. */
export function faultPoint(name: string, detail?: string): void {
  throwIfInterrupted();
  if (pause !== undefined) pauseAt(name);
  if (target === undefined) return;
  reached++;
  const n = (counts.get(name) ?? 0) + 1;
  counts.set(name, n);
  if (process.env.TRACKIO_FSCK_FAULT_TRACE) process.stderr.write(`fault point ${reached}: ${name}${detail ? ` ${detail}` : ''}\n`);
  const hit = target.name === 'step' ? reached === target.nth : target.name === name && n === target.nth;
  if (hit) act(target.action);
}

/**
 * A point that only a fault naming it acts on (`step` does not count it, so the kill sweeps keep
 * their length): an instant inside one file's work, on any thread, where a test acts with `@stop`
 * (a snapshot copy written and not yet read back: the test damages it, the backup must fail).
 */
export function namedFaultPoint(name: string): void {
  if (target === undefined || target.name !== name) return;
  const n = (counts.get(name) ?? 0) + 1;
  counts.set(name, n);
  if (n === target.nth) act(target.action);
}

function act(action: FaultAction): void {
  if (action === 'stop') {
    // The test that waits for this sees the process stopped, acts, and sends SIGCONT.
    process.kill(process.pid, 'SIGSTOP');
    return;
  }
  if (action === 'int') {
    // Delivered to the handler on the event loop, as a Ctrl-C at this instant would be.
    process.kill(process.pid, 'SIGINT');
    return;
  }
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
