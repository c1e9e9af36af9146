import { availableParallelism, loadavg } from 'node:os';

/**
 * Cores beside the calling thread that the last minute's load average leaves free: a core counts
 * when the load leaves at least 0.7 of it (a check itself keeps one busy: load ~1). A minute's
 * mean, not the run queue at one instant, so one busy moment does not decide a long run.
 */
export function freeCores(load = loadavg()[0]!): number {
  const cores = availableParallelism();
  return Math.max(0, Math.min(cores - 1, Math.floor(cores - load + 0.3)));
}
