import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { NotRegularFileError } from '../fs/openRegularFile.js';
import { copySnapshotFile, type SnapshotFileCopy } from './copySnapshotFile.js';

/** A file this large or larger may go to the copy thread (the small ones stay on the calling thread, in order). */
export const LARGE_FILE = 1024 * 1024;
/**
 * The copy thread starts only for this many bytes of large files. Measured on the 2-core VM at load
 * average 5-6 (bench data: 1,500 small files and 100 MiB in two large ones, seven interleaved
 * rounds): with the thread 2.88 s wall and 1.66 s CPU, without it 2.20 s and 1.34 s. Starting a
 * thread costs ~0.15-0.3 s of CPU, and copying, reading back and hashing costs ~2.3 ms of CPU a
 * MiB, so the thread takes over more than it costs only from a few hundred MiB of large files.
 */
const THREAD_AFTER_BYTES = 256 * 1024 * 1024;
/** Jobs posted to the thread and not answered: two, so it never waits for the calling thread to turn its event loop. */
const IN_FLIGHT = 2;

export interface CopyJob {
  id: number;
  src: string;
  dst: string;
}

/** An error as it crosses threads: what describeIoError and the finding messages read of it. */
export interface SentError {
  message: string;
  notRegular?: boolean;
  code?: string;
  errno?: number;
  syscall?: string;
  path?: string;
  dest?: string;
}

export type CopyReply = { id: number; copy: SnapshotFileCopy } | { id: number; error: SentError };

interface Job extends CopyJob {
  resolve: (copy: SnapshotFileCopy) => void;
  reject: (err: Error) => void;
}

/**
 * The large files of a first snapshot copied (and read back, copySnapshotFile) on a second core
 * while the calling thread copies the many small ones in order; when it is done with those it
 * takes large files from the same queue too. Only for many large bytes (THREAD_AFTER_BYTES).
 * TRACKIO_FSCK_BACKUP_THREAD=0 never starts it, =1 starts it for any large file (tests cover both
 * ways).
 */
export class CopyThread {
  private readonly queue: Job[] = [];
  private readonly inFlight = new Map<number, Job>();
  private next = 0;
  private nextId = 0;
  private failure?: Error;

  private constructor(private readonly worker: Worker) {
    worker.on('message', (reply: CopyReply) => {
      const job = this.inFlight.get(reply.id);
      if (!job) return;
      this.inFlight.delete(reply.id);
      if ('copy' in reply) job.resolve(reply.copy);
      else job.reject(receiveError(reply.error));
      this.post();
    });
    worker.on('error', (err) => this.fail(err));
    worker.on('exit', () => this.fail(new Error('the copy thread stopped')));
  }

  /** A copy thread for these files (sizes as listed), or undefined when one would not pay. */
  static startFor(sizes: number[], env: NodeJS.ProcessEnv = process.env): CopyThread | undefined {
    const forced = env.TRACKIO_FSCK_BACKUP_THREAD;
    const large = sizes.filter((s) => s >= LARGE_FILE);
    if (forced === '0' || large.length === 0) return undefined;
    if (forced !== '1' && (availableParallelism() < 2 || large.reduce((a, b) => a + b, 0) < THREAD_AFTER_BYTES)) return undefined;
    return new CopyThread(new Worker(workerScript()));
  }

  /** Queues a copy of `src` to the new file `dst`; the promise settles as copySnapshotFile would return or throw. */
  copy(src: string, dst: string): Promise<SnapshotFileCopy> {
    const promise = new Promise<SnapshotFileCopy>((resolve, reject) => this.queue.push({ id: this.nextId++, src, dst, resolve, reject }));
    // Awaited only when the caller reaches this file: until then a failure must not count as unhandled.
    promise.catch(() => {});
    this.post();
    return promise;
  }

  /** The calling thread copies the next queued job itself; false when none is left to take. */
  helpOne(): boolean {
    const job = this.queue[this.next];
    if (!job) return false;
    this.next++;
    try {
      job.resolve(copySnapshotFile(job.src, job.dst));
    } catch (err) {
      job.reject(err as Error);
    }
    return true;
  }

  /** Stops the thread; resolves once it runs no more (no copy is written after this). */
  async close(): Promise<void> {
    this.worker.removeAllListeners('exit');
    await this.worker.terminate();
    this.fail(new Error('the copy thread stopped'));
  }

  private post(): void {
    while (!this.failure && this.inFlight.size < IN_FLIGHT && this.next < this.queue.length) {
      const job = this.queue[this.next++]!;
      this.inFlight.set(job.id, job);
      this.worker.postMessage({ id: job.id, src: job.src, dst: job.dst } satisfies CopyJob);
    }
  }

  /** Every copy not answered fails with `err`; queued ones are left for helpOne. */
  private fail(err: Error): void {
    this.failure ??= err;
    for (const job of this.inFlight.values()) job.reject(this.failure);
    this.inFlight.clear();
  }
}

/** What the copy thread sends for an error it caught (copySnapshotFile's errors: errno errors, a not-regular file, a mismatch). */
export function sendError(err: unknown): SentError {
  const e = err as NodeJS.ErrnoException & { dest?: string };
  const sent: SentError = { message: e?.message ?? String(err) };
  if (err instanceof NotRegularFileError) sent.notRegular = true;
  for (const k of ['code', 'errno', 'syscall', 'path', 'dest'] as const) if (e?.[k] !== undefined) (sent as unknown as Record<string, unknown>)[k] = e[k];
  return sent;
}

/** The error back on the calling thread: same message and errno fields, a NotRegularFileError as one. */
function receiveError(sent: SentError): Error {
  const { message, notRegular, ...fields } = sent;
  const err = Object.assign(new Error(message), fields);
  if (notRegular) Object.setPrototypeOf(err, NotRegularFileError.prototype);
  return err;
}

/** The compiled worker (under the tests, which run the TypeScript sources, the built one in dist/). */
function workerScript(): URL {
  const here = new URL('./copyThreadWorker.js', import.meta.url);
  return import.meta.url.endsWith('.ts') ? new URL(here.href.replace('/src/engine/', '/dist/engine/')) : here;
}
