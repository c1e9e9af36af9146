/**
 * A monotonic stopwatch in milliseconds. process.hrtime, not the `performance` global: touching
 * that global loads perf_hooks and ten internal modules, a few ms of an empty check's start-up.
 */
export function startClock(): () => number {
  const started = process.hrtime.bigint();
  return () => Number(process.hrtime.bigint() - started) / 1e6;
}
