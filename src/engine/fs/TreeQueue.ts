import { loadavg } from 'node:os';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import { freeCores } from './freeCores.js';
import { CHUNK_BYTES } from './readFileOnce.js';
import { hashTreesBatch, type TreeEntry } from './hashFilesBatch.js';
import { decodeTrees, type TreeBatch } from './treeBatch.js';
import { NEXT, POSTED, SLOTS, STOP, TAKEN } from './treeQueueSlots.js';
import { reportRead } from './readProgress.js';

interface Reply {
  trees?: TreeBatch;
  last: boolean;
  error?: string;
}

/**
 * Walks directories (a data dir's runs) and hashes every regular file in them (hashTreesBatch) on
 * worker threads and the calling thread together, each taking the next directory from one shared
 * counter: a thread that gets less of the CPU (the machine's other work) takes fewer directories,
 * and none waits at the end for work handed out ahead to a slower one. Workers start at once (they
 * walk while the caller reads its manifest); the caller joins in with `run`, which hands every
 * directory's entries to `onTree` on the calling thread, in no particular order.
 */
export class TreeQueue {
  private readonly slots = new Int32Array(new SharedArrayBuffer(SLOTS * 4));
  private readonly ports: MessagePort[] = [];
  private readonly workers: Worker[] = [];
  private failure: Error | undefined;
  private taken = 0;
  private open = 0;
  /** Directories walked on the calling thread (the rest were the workers'). */
  walkedHere = 0;

  constructor(
    private readonly dirs: readonly string[],
    workers: number,
  ) {
    for (let i = 0; i < workers && i < dirs.length; i++) this.start();
  }

  /**
   * Takes directories until none is left, walking each on this thread, and between them hands on
   * what the workers sent; then waits for the workers' last results. `onTree` may return a promise
   * (the caller hashing a large file it was left): it is awaited before the next directory.
   */
  async run(onTree: (dir: number, entries: TreeEntry[]) => void | Promise<void>): Promise<void> {
    const buf = Buffer.allocUnsafe(CHUNK_BYTES);
    for (;;) {
      if (this.open > 0) await this.takeReplies(onTree);
      const i = Atomics.add(this.slots, NEXT, 1);
      if (i >= this.dirs.length) break;
      const found = hashTreesBatch([this.dirs[i]!], buf)[0]!;
      this.walkedHere++;
      for (const e of found) if (e.outcome && !e.outcome.error) reportRead(e.outcome.size);
      // No promise per directory unless the caller made one.
      const more = onTree(i, found);
      if (more) await more;
    }
    while (this.open > 0) {
      await this.takeReplies(onTree);
      if (this.open === 0) break;
      const posted = Atomics.load(this.slots, POSTED);
      // Asleep until a worker sends more (or a moment passes: a worker that died sends nothing).
      if (posted === this.taken) await waitAsync(this.slots, POSTED, posted, 100).value;
    }
    if (this.failure) throw this.failure;
  }

  /** Stops the workers (after `run`, or on the way out of a failure) and waits for them to end. */
  async close(): Promise<void> {
    Atomics.store(this.slots, STOP, 1);
    Atomics.notify(this.slots, TAKEN);
    for (const p of this.ports) p.close();
    await Promise.all(this.workers.splice(0).map((w) => w.terminate()));
  }

  /** Hands on every reply waiting now, without waiting for more. */
  private async takeReplies(onTree: (dir: number, entries: TreeEntry[]) => void | Promise<void>): Promise<void> {
    for (const port of this.ports) {
      for (let m = receiveMessageOnPort(port); m; m = receiveMessageOnPort(port)) {
        const reply = m.message as Reply;
        this.taken++;
        Atomics.add(this.slots, TAKEN, 1);
        Atomics.notify(this.slots, TAKEN);
        if (reply.last) this.open--;
        if (reply.error) this.failure ??= new Error(`a hashing worker thread failed: ${reply.error}`);
        if (!reply.trees) continue;
        const trees: Array<[number, TreeEntry[]]> = [];
        decodeTrees(reply.trees, (dir, entries) => trees.push([dir, entries]));
        for (const [dir, entries] of trees) {
          for (const e of entries) if (e.outcome && !e.outcome.error) reportRead(e.outcome.size);
          const more = onTree(dir, entries);
          if (more) await more;
        }
      }
    }
    if (this.failure) throw this.failure;
  }

  private start(): void {
    const { port1, port2 } = new MessageChannel();
    const worker = new Worker(workerScript(), { workerData: { dirs: this.dirs, shared: this.slots.buffer, port: port2 }, transferList: [port2] });
    this.open++;
    const fail = (err: Error): void => {
      this.failure ??= err;
      // A worker that stopped before its last reply sends none: the waiting loop must not wait for it.
      this.open = 0;
    };
    worker.on('error', fail);
    worker.on('exit', (code) => {
      if (code !== 0 && !Atomics.load(this.slots, STOP)) fail(new Error(`a hashing worker thread stopped (exit code ${code})`));
    });
    this.workers.push(worker);
    this.ports.push(port1);
  }
}

/**
 * Below this many files (estimated from the manifest's length) the walk stays on the calling
 * thread: a worker costs 0.15-0.25 s of CPU to start (Node's own start-up in a new thread, and its
 * own copy of the code to warm up), about what 10 000 small files take to walk.
 */
const MIN_FILES = 20_000;

/**
 * Worker threads for walking and hashing about `files` small files beside the calling thread: one
 * per core that the last minute's load average leaves free, from MIN_FILES files on. Measured on
 * the 2-core VM with both cores busy (load 5-8, docs/benchmarks.md): a worker saved no wall time
 * and cost 0.3-0.9 s more CPU on 50 000 files; with a core free it walks half the runs. The load
 * average is a minute's mean, not the run queue at one instant, and a wrong guess costs little
 * wall time either way: the threads take run directories from one shared queue (TreeQueue), so
 * none waits at the end for another. TRACKIO_FSCK_HASH_WORKERS overrides (tests force 0, 1, 2).
 */
export function treeWorkersFor(files: number, env: NodeJS.ProcessEnv = process.env, load = loadavg()[0]!): number {
  const forced = env.TRACKIO_FSCK_HASH_WORKERS;
  if (forced !== undefined && forced !== '' && Number.isInteger(Number(forced)) && Number(forced) >= 0) return Number(forced);
  if (files < MIN_FILES) return 0;
  return freeCores(load);
}

/** Atomics.waitAsync (Node 16 on), which the ES2022 typings lack: the event loop runs meanwhile (a worker's 'exit' is seen). */
const waitAsync = (Atomics as unknown as { waitAsync(a: Int32Array, i: number, v: number, ms: number): { value: string | Promise<string> } }).waitAsync;

/** The compiled worker (under the tests, which run the TypeScript sources, the built one in dist/). */
function workerScript(): URL {
  const here = new URL('./treeQueueWorker.js', import.meta.url);
  return import.meta.url.endsWith('.ts') ? new URL(here.href.replace('/src/engine/', '/dist/engine/')) : here;
}
