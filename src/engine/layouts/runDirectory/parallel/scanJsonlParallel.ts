import { readSync } from 'node:fs';
import { setImmediate } from 'node:timers/promises';
import type { Finding } from '../../../finding.js';
import { FileHash } from '../../../fs/FileHash.js';
import { openRegularFile } from '../../../fs/openRegularFile.js';
import { CHUNK_BYTES, type ReadResult } from '../../../fs/readFileOnce.js';
import { JsonlScanner, type JsonlSummary } from '../kinds/JsonlScanner.js';
import type { ParallelConfig } from './parallelConfig.js';
import { scanSegment } from './scanSegment.js';
import { SegmentMerger } from './SegmentMerger.js';
import type { SegmentJob, SegmentReply } from './segmentMessages.js';
import { WorkerPool } from './WorkerPool.js';
import { reportRead } from '../../../fs/readProgress.js';

const NEWLINE = 0x0a;
const MAX_PER_CODE = 20;
/** Segments queued per worker thread: one being scanned, the next ones ready when it is done. */
const WORKER_JOBS_PER_THREAD = 2;

export interface ParallelScanOptions {
  run: string | null;
  path: string;
  live: boolean;
  /** Also hash the first this many bytes (the manifest's recorded length), in the same pass. */
  prefixBytes?: number;
  config: ParallelConfig;
}

let pool: WorkerPool<SegmentJob, SegmentReply> | undefined;

/**
 * A worker's garbage is one segment's lines, dead as soon as they are checked: a small young
 * generation holds it (V8 would grow it to 48 MB per thread; measured: peak RSS of a 1 GB check
 * 122 MB with the default, 105 MB with 8 MB, same CPU time).
 */
const WORKER_YOUNG_GENERATION_MB = 8;

/** Unit tests run the engine from src/ (TypeScript), which a worker thread cannot load: the worker is then the built copy. */
function workerScript(): URL {
  const here = new URL('./jsonlSegmentWorker.js', import.meta.url);
  return import.meta.url.endsWith('.ts') ? new URL(here.href.replace('/src/engine/', '/dist/engine/')) : here;
}

/** The shared pool, started on first use; later files reuse its threads. */
function workerPool(size: number): WorkerPool<SegmentJob, SegmentReply> {
  if (!pool || pool.size !== size) {
    void pool?.close();
    pool = new WorkerPool(workerScript(), size, { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB });
  }
  return pool;
}

/** Stops the worker threads (a library user done with checking may call it; the CLI need not). */
export async function closeWorkerPool(): Promise<void> {
  const p = pool;
  pool = undefined;
  await p?.close();
}

/** A segment handed out, in file order: its reply once it is in (at once when scanned inline). */
interface Pending {
  end: number;
  reply?: SegmentReply;
  /** A worker's reply on its way; its buffer goes back to the free list when merged (an inline segment's went back at once). */
  fromWorker?: Promise<SegmentReply>;
}

/**
 * Reads a large metrics.jsonl once: the main thread reads fixed segments, hashes them, cuts each
 * at its last newline and hands the complete lines to worker threads, at most
 * WORKER_JOBS_PER_THREAD segments per worker in flight (so memory stays constant), merging their
 * results in file order. When every worker has its share, the main thread scans the segment
 * itself instead of waiting: the work goes to whichever thread has a core, so a worker whose
 * core is busy with other work just takes fewer segments, and the speed does not hinge on a guess
 * of the machine's load made at one instant (with the old guess, the same 2 GB check took 4.7 s
 * or 9.8 s). What follows the last newline, and everything after a line longer than a segment,
 * is scanned on the main thread by a scanner that starts from the merged state. The findings and
 * summary are exactly those of one JsonlScanner reading the whole file.
 */
export async function scanJsonlParallel(abs: string, opts: ParallelScanOptions, emit: (f: Finding) => void): Promise<ReadResult & { summary: JsonlSummary }> {
  const { segmentBytes, workers } = opts.config;
  const workerPoolNow = workerPool(workers);
  const merger = new SegmentMerger({ run: opts.run, path: opts.path }, MAX_PER_CODE, emit);
  const maxWorkerJobs = workers * WORKER_JOBS_PER_THREAD;
  let workerJobs = 0;
  const pending: Pending[] = [];
  const free: ArrayBuffer[] = [];
  const takeBuffer = () => free.pop() ?? new ArrayBuffer(segmentBytes);
  /** Merges the replies that are in, in file order. */
  const mergeReady = (): void => {
    while (pending.length > 0 && pending[0]!.reply) {
      const head = pending.shift()!;
      merger.add(head.reply!, head.end);
      if (head.fromWorker) free.push(head.reply!.buffer);
    }
  };

  const { fh, stat } = await openRegularFile(abs);
  try {
    const hash = new FileHash(opts.prefixBytes);
    let size = 0;
    let seq = 0;
    let segStart = 0; // file offset of seg[0]
    let seg = Buffer.from(takeBuffer());
    let filled = 0;
    let eof = false;
    let longLine = false;
    try {
      while (!eof) {
        // A synchronous read: the page-cache copy takes ~0.1 ms per MiB, while an awaited read
        // waits for a libuv thread that competes with the busy workers for the cores (measured:
        // 3-5% more throughput on a 300 MB file, and far less time blocked under load).
        const bytesRead = readSync(fh.fd, seg, filled, segmentBytes - filled, null);
        if (bytesRead > 0) {
          hash.update(seg.subarray(filled, filled + bytesRead));
          filled += bytesRead;
          size += bytesRead;
          reportRead(bytesRead);
          if (filled < segmentBytes) continue;
        } else {
          eof = true;
        }
        const lastNl = filled > 0 ? seg.lastIndexOf(NEWLINE, filled - 1) : -1;
        if (lastNl === -1) {
          // A full segment without a newline: a line too long to hand out (or the tail at EOF).
          longLine = !eof;
          break;
        }
        const next = Buffer.from(takeBuffer());
        const rest = filled - (lastNl + 1);
        seg.copy(next, 0, lastNl + 1, filled);
        const job: SegmentJob = { seq: seq++, buffer: seg.buffer as ArrayBuffer, length: lastNl + 1, fileOffset: segStart, run: opts.run, path: opts.path, maxPerCode: MAX_PER_CODE };
        const entry: Pending = { end: segStart + lastNl + 1 };
        pending.push(entry);
        // Until a worker thread is up, and while every worker has its share, the main thread
        // scans the segment itself: neither the workers' start-up time nor a worker slowed by a
        // busy core is added to the check's.
        if (workerPoolNow.online && workerJobs < maxWorkerJobs) {
          workerJobs++;
          entry.fromWorker = workerPoolNow.run(job, [job.buffer]);
          // A failed worker is reported below, when its reply is awaited in file order.
          void entry.fromWorker.then(
            (r) => {
              entry.reply = r;
              workerJobs--;
            },
            () => undefined,
          );
        } else {
          entry.reply = scanSegment(job);
          free.push(job.buffer);
        }
        // Reads and inline scans are synchronous: let the event loop deliver the workers' replies.
        await setImmediate();
        mergeReady();
        segStart += lastNl + 1;
        seg = next;
        filled = rest;
      }
      for (const entry of pending) entry.reply ??= await entry.fromWorker!;
      mergeReady();
    } finally {
      // Leave no worker busy with this file, even when reading failed.
      await Promise.allSettled(pending.map((p) => p.fromWorker));
    }

    // The main thread takes over from the merged state: the tail, or the rest after a long line.
    const scanner = new JsonlScanner({ run: opts.run, path: opts.path, live: opts.live, maxPerCode: MAX_PER_CODE, start: merger.state() }, emit);
    if (filled > 0) scanner.push(seg.subarray(0, filled));
    if (longLine) {
      const buf = Buffer.allocUnsafe(CHUNK_BYTES);
      for (;;) {
        const { bytesRead } = await fh.read(buf, 0, buf.length, null);
        if (bytesRead === 0) break;
        const chunk = buf.subarray(0, bytesRead);
        hash.update(chunk);
        scanner.push(chunk);
        size += bytesRead;
        reportRead(bytesRead);
      }
    }
    const summary = scanner.end();
    const result: ReadResult & { summary: JsonlSummary } = { sha256: hash.digest(), size, stat, summary };
    if (hash.prefixSha256 !== undefined) result.prefixSha256 = hash.prefixSha256;
    return result;
  } finally {
    await fh.close();
  }
}
