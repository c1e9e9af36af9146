import { Worker, type ResourceLimits } from 'node:worker_threads';

interface Job<Req, Res> {
  message: Req;
  transfer: ArrayBuffer[];
  resolve(r: Res): void;
  reject(e: Error): void;
}

interface Slot<Req, Res> {
  worker: Worker;
  job?: Job<Req, Res>;
}

/**
 * A fixed set of worker threads running one script, each taking one job at a time from a FIFO
 * queue. Idle workers are unref'd, so a pool left open never keeps the process alive.
 */
export class WorkerPool<Req, Res> {
  private readonly slots: Slot<Req, Res>[] = [];
  private readonly queue: Job<Req, Res>[] = [];
  private failure?: Error;
  private started = 0;

  constructor(script: URL, size: number, resourceLimits?: ResourceLimits) {
    for (let i = 0; i < size; i++) {
      const slot: Slot<Req, Res> = { worker: new Worker(script, { resourceLimits }) };
      slot.worker.once('online', () => this.started++);
      slot.worker.on('message', (res: Res) => {
        const job = slot.job!;
        slot.job = undefined;
        job.resolve(res);
        this.next(slot);
      });
      slot.worker.on('error', (err) => this.fail(err));
      slot.worker.on('exit', (code) => this.fail(new Error(`worker thread stopped (exit code ${code})`)));
      // After the listeners: adding a 'message' listener refs the worker again.
      slot.worker.unref();
      this.slots.push(slot);
    }
  }

  get size(): number {
    return this.slots.length;
  }

  /** Whether any worker thread is running yet (starting one takes ~50-100 ms). */
  get online(): boolean {
    return this.started > 0;
  }

  /** Runs one job on the next free worker; `transfer` buffers move to the worker (and are unusable here). */
  run(message: Req, transfer: ArrayBuffer[] = []): Promise<Res> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise<Res>((resolve, reject) => {
      this.queue.push({ message, transfer, resolve, reject });
      const idle = this.slots.find((s) => !s.job);
      if (idle) this.next(idle);
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }

  private next(slot: Slot<Req, Res>): void {
    const job = this.queue.shift();
    if (!job) {
      slot.worker.unref();
      return;
    }
    slot.job = job;
    // A worker with a job in hand keeps the process alive until its answer arrives.
    slot.worker.ref();
    slot.worker.postMessage(job.message, job.transfer);
  }

  private fail(err: Error): void {
    if (this.failure) return;
    this.failure = err;
    for (const s of this.slots) s.job?.reject(err);
    for (const j of this.queue.splice(0)) j.reject(err);
  }
}
