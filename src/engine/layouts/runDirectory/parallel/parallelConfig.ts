import { availableParallelism } from 'node:os';

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
 * One worker per core but one, whatever the load of the moment: the main thread, which reads and
 * hashes, scans segments too whenever every worker has its share (scanJsonlParallel), so the
 * check runs one thread per core, and a thread whose core is busy with other work takes fewer
 * segments. Choosing 0 or N workers from the run queue at one instant made the same 2 GB check
 * take 4.7 s or 9.8 s. Not one worker per core: each worker is a V8 isolate that starts and
 * compiles the scanner anew (measured ~0.3-0.4 s of CPU each before it runs at full speed), and a
 * third thread on two cores only added that: a 134 MB check took 2.4-2.6 s of CPU with two
 * workers, 1.8-1.9 s with one, and less wall time too, with and without other load.
 */
function defaultWorkers(): number {
  const cores = availableParallelism();
  return cores < 2 ? 0 : cores - 1;
}

function positiveInt(v: string | undefined): number | undefined {
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  return Number.isInteger(n) && n >= 0 ? n : undefined;
}
