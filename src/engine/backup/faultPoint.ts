/**
 * Fault injection for the crash tests: TRACKIO_FSCK_FAULT=<name>:<n> kills this process with
 * SIGKILL (no cleanup, no finally) the n-th time execution passes the point called <name>.
 * Unset, it costs one property lookup.
 */
const counts = new Map<string, number>();

export function faultPoint(name: string): void {
  const spec = process.env.TRACKIO_FSCK_FAULT;
  if (!spec) return;
  const [want, nth] = spec.split(':');
  if (want !== name) return;
  const n = (counts.get(name) ?? 0) + 1;
  counts.set(name, n);
  if (n >= Number(nth ?? 1)) process.kill(process.pid, 'SIGKILL');
}
