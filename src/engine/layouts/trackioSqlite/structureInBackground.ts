import { Worker } from 'node:worker_threads';
import { freeCores } from '../../fs/freeCores.js';
import type { SqliteDatabase } from './loadSqlite.js';
import type { Structure } from './structureProblems.js';
import type { StructureRequest } from './structureWorker.js';

/** Databases smaller than this check their structure on the main thread: a worker's start (~30-50 ms of CPU) costs more than it saves. */
const DEFAULT_MIN_BYTES = 32 * 1024 * 1024;

/**
 * Whether a database of `fileBytes` has its structure checked on a worker thread: from 32 MiB
 * (TRACKIO_FSCK_PARALLEL_MIN_BYTES moves the threshold), when the last minute's load leaves a core
 * free (freeCores), or always / never with TRACKIO_FSCK_WORKERS=N (N >= 1 / 0). Measured on the
 * 2-core VM, 1M-row database (docs/benchmarks.md): with a core free, check 3.06 s -> 1.72 s wall
 * and 3.07 -> 2.93 s CPU; with both cores busy (load 5-7) the second thread cost 0.13-0.33 s more
 * CPU and saved no wall time, hence the load rule. `forced` (tests) decides alone.
 */
export function wantsBackground(fileBytes: number, forced?: boolean, env: NodeJS.ProcessEnv = process.env, load?: number): boolean {
  if (forced !== undefined) return forced;
  const min = Number(env.TRACKIO_FSCK_PARALLEL_MIN_BYTES);
  const threshold = env.TRACKIO_FSCK_PARALLEL_MIN_BYTES && Number.isInteger(min) && min >= 0 ? min : DEFAULT_MIN_BYTES;
  if (fileBytes < threshold) return false;
  const workers = Number(env.TRACKIO_FSCK_WORKERS);
  if (env.TRACKIO_FSCK_WORKERS && Number.isInteger(workers) && workers >= 0) return workers >= 1;
  return freeCores(load) >= 1;
}

/**
 * structureProblems of `db` on a second read-only connection in a worker thread, so quick_check
 * and the index comparison (about half of a large database's check) use the second core while
 * the main thread scans the cells. Resolves to undefined when the worker could not do it (it
 * could not open the database, or stopped): the caller then runs structureProblems itself.
 */
export function structureInBackground(db: SqliteDatabase, tables: string[], full: boolean): Promise<Structure | undefined> {
  const request: StructureRequest = { name: db.name, tables, full };
  return new Promise((resolve) => {
    let worker: Worker;
    try {
      worker = new Worker(workerScript(), { workerData: request });
    } catch {
      resolve(undefined);
      return;
    }
    worker.once('message', (m: { ok: true; structure: Structure } | { ok: false; error: string }) => resolve(m.ok ? m.structure : undefined));
    worker.once('error', () => resolve(undefined));
    worker.once('exit', () => resolve(undefined));
  });
}

function workerScript(): URL {
  const here = new URL('./structureWorker.js', import.meta.url);
  // Under the tests (TypeScript sources), the built worker.
  return import.meta.url.endsWith('.ts') ? new URL(here.href.replace('/src/engine/', '/dist/engine/')) : here;
}
