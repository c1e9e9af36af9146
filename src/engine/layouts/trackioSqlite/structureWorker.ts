// Worker thread of structureInBackground: opens the database the main thread has open, read-only,
// under the same name (the immutable URI, the live file, or the private copy), and runs
// structureProblems on it.
import { parentPort, workerData } from 'node:worker_threads';
import { loadSqlite } from './loadSqlite.js';
import { structureProblems } from './structureProblems.js';

export interface StructureRequest {
  name: string;
  tables: string[];
  full: boolean;
}

const { name, tables, full } = workerData as StructureRequest;
try {
  const db = new (loadSqlite())(name, { readonly: true, fileMustExist: true });
  try {
    parentPort!.postMessage({ ok: true, structure: structureProblems(db, tables, full) });
  } finally {
    db.close();
  }
} catch (err) {
  parentPort!.postMessage({ ok: false, error: (err as Error).message });
}
