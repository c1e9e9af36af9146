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
 * Defaults, overridable through the environment: TRACKIO_FSCK_WORKERS (0 = parse on the main
 * thread only), TRACKIO_FSCK_PARALLEL_MIN_BYTES and TRACKIO_FSCK_SEGMENT_BYTES (tests use small
 * values to spread one small file over many segments).
 */
export function parallelConfig(env: NodeJS.ProcessEnv = process.env): ParallelConfig {
  return {
    minBytes: positiveInt(env.TRACKIO_FSCK_PARALLEL_MIN_BYTES) ?? DEFAULT_PARALLEL_MIN_BYTES,
    segmentBytes: Math.max(64, positiveInt(env.TRACKIO_FSCK_SEGMENT_BYTES) ?? DEFAULT_SEGMENT_BYTES),
    workers: positiveInt(env.TRACKIO_FSCK_WORKERS) ?? availableParallelism(),
  };
}

function positiveInt(v: string | undefined): number | undefined {
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  return Number.isInteger(n) && n >= 0 ? n : undefined;
}
