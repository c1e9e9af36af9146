/**
 * Crash testing: with TRACKIO_FSCK_FAULT=step:N the process kills itself with SIGKILL at the Nth
 * durable point of a repair or undo (a backup copy, a journal write, a rename). Tests use it to prove
 * that a repair killed at any instant can be resumed or undone. Unset, it costs one comparison.
 */
const target = parseFault(process.env.TRACKIO_FSCK_FAULT);
let reached = 0;

function parseFault(value: string | undefined): number | undefined {
  const m = value ? /^step:(\d+)$/.exec(value) : null;
  return m ? Number(m[1]) : undefined;
}

export function faultPoint(label: string): void {
  if (target === undefined) return;
  reached++;
  if (process.env.TRACKIO_FSCK_FAULT_TRACE) process.stderr.write(`fault point ${reached}: ${label}\n`);
  if (reached !== target) return;
  process.kill(process.pid, 'SIGKILL');
  // The signal is delivered before kill() returns on Linux; block anyway so nothing runs after it.
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
}
