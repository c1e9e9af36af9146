import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { CHUNK_BYTES } from './readFileOnce.js';
import { hashFilesBatch, type HashJob, type HashOutcome } from './hashFilesBatch.js';
import { reportRead } from './readProgress.js';

/** Below this, hashing stays on the calling thread (hashWorkersFor). */
const MIN_BYTES = 64 * 1024 * 1024;
/** Files per message: one message per small file would cost more than hashing it. */
const BATCH_FILES = 256;
/** A batch also ends at this many bytes (as the caller expects them), so large files spread over the workers. */
const BATCH_BYTES = 8 * 1024 * 1024;
/** Batches sent to one worker and not answered yet; past that the caller waits (memory stays flat however fast it lists files). */
const IN_FLIGHT = 3;

/** What a worker is sent: files to hash. */
export interface PoolBatch {
  id: number;
  items: HashJob[];
}

interface Busy {
  worker: Worker;
  inFlight: number;
}

/**
 * Hashes many files on worker threads, a batch of paths per message, each worker on synchronous
 * calls (hashFilesBatch). With 0 workers each is done at once on the calling thread. Results
 * arrive through `onFile`, in no particular order across batches; the caller keys them by its tag.
 * (manifest verify walks run directories with TreeQueue and hands large files here.)
 */
export class HashPool {
  private readonly workers: Busy[] = [];
  private readonly pending = new Map<number, number[]>();
  /** The calling thread's own buffer: it hashes at once with no workers, and helps when they are all busy. */
  private readonly buf = Buffer.allocUnsafe(CHUNK_BYTES);
  private tags: number[] = [];
  private items: HashJob[] = [];
  private bytes = 0;
  private nextId = 0;
  private failure?: Error;
  private readonly waiting: Array<() => void> = [];

  constructor(
    /** Worker threads to use; may be changed until the first file is added. */
    public workerCount: number,
    private readonly onFile: (tag: number, outcome: HashOutcome) => void,
  ) {}

  /**
   * Queues one file (`expectBytes`: its size as far as the caller knows, for batching only). A
   * promise comes back when every worker has its fill: await it before adding more.
   */
  add(tag: number, job: HashJob, expectBytes = 0): Promise<void> | undefined {
    if (this.workerCount === 0) {
      this.settle([tag], hashFilesBatch([job], this.buf));
      return undefined;
    }
    if (this.failure) throw this.failure;
    this.tags.push(tag);
    this.items.push(job);
    this.bytes += expectBytes;
    if (this.items.length < BATCH_FILES && this.bytes < BATCH_BYTES) return undefined;
    return this.send();
  }

  /** Sends what is queued and waits for every outcome; throws if a worker failed. */
  async drain(): Promise<void> {
    if (this.items.length > 0) await this.send();
    while (this.pending.size > 0 && !this.failure) await new Promise<void>((resolve) => this.waiting.push(resolve));
    if (this.failure) throw this.failure;
  }

  async close(): Promise<void> {
    const ws = this.workers.splice(0);
    await Promise.all(ws.map((w) => w.worker.terminate()));
  }

  /**
   * Sends the queued batch to the least busy worker; when every worker has its fill, the calling
   * thread does the batch itself (then lets the workers' replies in), so no core waits while
   * another has work queued, and a thread whose core is taken by other work takes fewer batches.
   */
  private async send(): Promise<void> {
    if (this.failure) throw this.failure;
    const tags = this.tags;
    const items = this.items;
    this.tags = [];
    this.items = [];
    this.bytes = 0;
    const w = this.leastBusy();
    if (w.inFlight >= IN_FLIGHT) {
      this.settle(tags, hashFilesBatch(items, this.buf));
      await new Promise((resolve) => setImmediate(resolve));
      if (this.failure) throw this.failure;
      return;
    }
    const id = this.nextId++;
    this.pending.set(id, tags);
    w.inFlight++;
    w.worker.postMessage({ id, items } satisfies PoolBatch);
  }

  /** The worker with the fewest batches in flight; a new one while there are fewer than asked for and each has work. */
  private leastBusy(): Busy {
    let best: Busy | undefined;
    for (const w of this.workers) if (!best || w.inFlight < best.inFlight) best = w;
    if (best && (best.inFlight === 0 || this.workers.length >= this.workerCount)) return best;
    return this.start();
  }

  private start(): Busy {
    const busy: Busy = { worker: new Worker(workerScript()), inFlight: 0 };
    busy.worker.on('message', (reply: { id: number; results: HashOutcome[] }) => {
      busy.inFlight--;
      const tags = this.pending.get(reply.id)!;
      this.pending.delete(reply.id);
      try {
        this.settle(tags, reply.results);
      } catch (err) {
        this.failure ??= err as Error;
      }
      this.wakeUp();
    });
    const fail = (err: Error): void => {
      this.failure ??= err;
      this.wakeUp();
    };
    busy.worker.on('error', fail);
    busy.worker.on('exit', () => {
      if (this.workers.includes(busy) && busy.inFlight > 0) fail(new Error('a hashing worker thread stopped'));
    });
    this.workers.push(busy);
    return busy;
  }

  private settle(tags: number[], results: HashOutcome[]): void {
    for (let i = 0; i < tags.length; i++) {
      const o = results[i]!;
      if (!o.error) reportRead(o.size);
      this.onFile(tags[i]!, o);
    }
  }

  private wakeUp(): void {
    for (const wake of this.waiting.splice(0)) wake();
  }
}

/**
 * Worker threads for hashing `files` files of `bytes` bytes in all: one per core but one (the
 * calling thread hashes too when they are busy: HashPool.send) from 64 MiB on, else none, however
 * many files. Measured on the 2-core VM under load (load average 8-14; manifest verify,
 * interleaved runs): on large files a worker always paid (1 GB: 3.1x sha256sum -c against 2.5x on
 * one thread); on small files it did not: a worker costs ~0.16 s of CPU to start, and the walk's
 * results cross threads as messages, so 50 000 small files took 3.3-3.7 s of CPU with one worker
 * against 2.5-3.0 s on one thread, and the wall time followed the CPU time (the other core was
 * never free) but for a few runs. TRACKIO_FSCK_HASH_WORKERS overrides (tests force both ways).
 */
export function hashWorkersFor(files: number, bytes: number, env: NodeJS.ProcessEnv = process.env): number {
  const forced = env.TRACKIO_FSCK_HASH_WORKERS;
  if (forced !== undefined && forced !== '' && Number.isInteger(Number(forced)) && Number(forced) >= 0) return Number(forced);
  if (bytes < MIN_BYTES || files === 0) return 0;
  const cores = availableParallelism();
  return cores < 2 ? 0 : cores - 1;
}

/** The compiled worker (under the tests, which run the TypeScript sources, the built one in dist/). */
function workerScript(): URL {
  const here = new URL('./hashPoolWorker.js', import.meta.url);
  return import.meta.url.endsWith('.ts') ? new URL(here.href.replace('/src/engine/', '/dist/engine/')) : here;
}
