import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';

/** When and how a large metrics.jsonl is parsed on worker threads. */
export interface ParallelConfig {
  /** Files at least this big are split across workers; smaller ones stay on the main thread (starting workers costs more than it saves). */
  minBytes: number;
  /** Bytes per segment handed to a worker; a line longer than this sends the rest of the file to the main thread. */
  segmentBytes: number;
  /** Worker threads; 0 turns parallel parsing off. */
  workers: number;
}

export const DEFAULT_PARALLEL_MIN_BYTES = 32 * 1024 * 1024;
export const DEFAULT_SEGMENT_BYTES = 1024 * 1024;

/**
 * How to read a metrics.jsonl of `fileBytes`: undefined when it is below the threshold (decided
 * without looking at the machine, so the many small files of a data dir cost nothing here).
 * Defaults, overridable through the environment: TRACKIO_FSCK_WORKERS (a number of worker
 * threads; 0 = parse on the main thread only), TRACKIO_FSCK_PARALLEL_MIN_BYTES and
 * TRACKIO_FSCK_SEGMENT_BYTES (tests use small values to spread one small file over many segments).
 */
export function parallelConfig(fileBytes: number, env: NodeJS.ProcessEnv = process.env): ParallelConfig | undefined {
  const minBytes = positiveInt(env.TRACKIO_FSCK_PARALLEL_MIN_BYTES) ?? DEFAULT_PARALLEL_MIN_BYTES;
  if (fileBytes < minBytes) return undefined;
  return {
    minBytes,
    segmentBytes: Math.max(64, positiveInt(env.TRACKIO_FSCK_SEGMENT_BYTES) ?? DEFAULT_SEGMENT_BYTES),
    workers: positiveInt(env.TRACKIO_FSCK_WORKERS) ?? defaultWorkers(),
  };
}

/**
 * One worker per core, but only when the cores are free right now: the workers win only with idle
 * cores (1 GiB on a quiet 2-core machine: 560 MB/s against 386 MB/s on one thread); when other work
 * keeps the cores busy, one thread is faster (1 GB at load 4: 278 MB/s on one thread, 224 MB/s with
 * two workers). "Right now" is the number of runnable tasks in /proc/loadavg, not the 1-minute
 * average, which still remembers a job that ended a minute ago. The results are the same either
 * way; only the speed differs.
 */
function defaultWorkers(): number {
  const cores = availableParallelism();
  if (cores < 2) return 0;
  const othersRunning = runnableNow() - 1; // this process is one of them
  const busy = Number.isFinite(othersRunning) ? othersRunning : loadavg()[0]!;
  return busy < cores - 0.5 ? cores : 0;
}

/** Tasks runnable at this instant (the 4th field of /proc/loadavg, "running/total"); NaN where unknown. */
function runnableNow(): number {
  try {
    const field = readFileSync('/proc/loadavg', 'utf8').split(' ')[3] ?? '';
    return Number(field.split('/')[0]);
  } catch {
    return NaN;
  }
}

function positiveInt(v: string | undefined): number | undefined {
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  return Number.isInteger(n) && n >= 0 ? n : undefined;
}
