import { Worker } from 'node:worker_threads';
import { FsckError } from '../errors.js';
import { hashFileSync } from './copySnapshotFile.js';

export interface ReadBackJob {
  id: number;
  path: string;
  sha256: string;
  size: number;
}

export interface ReadBackReply {
  id: number;
  ok: boolean;
  error?: string;
}

/** Past this much copying, read-back moves to a worker thread (starting one costs ~40 ms of CPU). */
const WORKER_AFTER_FILES = 64;
const WORKER_AFTER_BYTES = 8 * 1024 * 1024;
/** Jobs are posted in batches: one message per small file would cost more than hashing it. */
const BATCH_FILES = 32;
const BATCH_BYTES = 2 * 1024 * 1024;

export type ReadBackMode = 'auto' | 'inline' | 'worker';

/**
 * Reads every snapshot copy back and matches it against the hash taken while its source was read.
 * A small backup does it inline, right after each copy; a large one hands it to one worker thread,
 * so the two cores overlap: the main thread copies (and hashes) the next file while the worker
 * re-reads the last ones. A copy that reads back different bytes fails the backup, as before, only
 * at `finish` instead of at once (the half-built snapshot is removed either way).
 * TRACKIO_FSCK_BACKUP_READBACK=inline|worker forces one way (tests cover both).
 */
export class ReadBackVerifier {
  private worker?: Worker;
  private readonly sources = new Map<number, string>();
  private batch: ReadBackJob[] = [];
  private batchBytes = 0;
  private nextId = 0;
  private copiedFiles = 0;
  private copiedBytes = 0;
  private failure?: Error;
  private settled?: () => void;

  constructor(private readonly mode: ReadBackMode = modeFromEnv()) {}

  /** `dst` was written from `src` (hashed `sha256`, `size` bytes) and closed: verify it, now or in the worker. */
  check(src: string, dst: string, sha256: string, size: number): void {
    this.throwIfFailed();
    this.copiedFiles++;
    this.copiedBytes += size;
    if (!this.worker && (this.mode === 'worker' || (this.mode === 'auto' && (this.copiedFiles > WORKER_AFTER_FILES || this.copiedBytes > WORKER_AFTER_BYTES)))) this.start();
    if (!this.worker) {
      const got = hashFileSync(dst);
      if (got.sha256 !== sha256 || got.size !== size) throw mismatch(src);
      return;
    }
    const id = this.nextId++;
    this.sources.set(id, src);
    this.batch.push({ id, path: dst, sha256, size });
    this.batchBytes += size;
    if (this.batch.length >= BATCH_FILES || this.batchBytes >= BATCH_BYTES) this.flush();
  }

  /** Waits until every copy handed over was read back; throws if one did not match. */
  async finish(): Promise<void> {
    this.flush();
    if (this.worker && this.sources.size > 0 && !this.failure) await new Promise<void>((resolve) => (this.settled = resolve));
    await this.close();
    this.throwIfFailed();
  }

  async close(): Promise<void> {
    const w = this.worker;
    this.worker = undefined;
    await w?.terminate();
  }

  private start(): void {
    const w = new Worker(workerScript());
    w.on('message', (replies: ReadBackReply[]) => {
      for (const r of replies) {
        const src = this.sources.get(r.id)!;
        this.sources.delete(r.id);
        if (!r.ok && !this.failure) this.failure = r.error ? new FsckError(`verification failed: the copy of ${src} cannot be read back: ${r.error}`) : mismatch(src);
      }
      if (this.sources.size === 0 || this.failure) this.settled?.();
    });
    w.on('error', (err) => {
      this.failure ??= err;
      this.settled?.();
    });
    w.on('exit', () => {
      if (this.sources.size > 0) this.failure ??= new Error('the read-back worker thread stopped');
      this.settled?.();
    });
    this.worker = w;
  }

  private flush(): void {
    if (!this.worker || this.batch.length === 0) return;
    this.worker.postMessage(this.batch);
    this.batch = [];
    this.batchBytes = 0;
  }

  private throwIfFailed(): void {
    if (this.failure) throw this.failure;
  }
}

function mismatch(src: string): FsckError {
  return new FsckError(`verification failed: the copy of ${src} read back different bytes`);
}

function modeFromEnv(): ReadBackMode {
  const v = process.env.TRACKIO_FSCK_BACKUP_READBACK;
  return v === 'inline' || v === 'worker' ? v : 'auto';
}

/** The compiled worker (under the tests, which run the TypeScript sources, the built one in dist/). */
function workerScript(): URL {
  const here = new URL('./readBackWorker.js', import.meta.url);
  return import.meta.url.endsWith('.ts') ? new URL(here.href.replace('/src/engine/', '/dist/engine/')) : here;
}
