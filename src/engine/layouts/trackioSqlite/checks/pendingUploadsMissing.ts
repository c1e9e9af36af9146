import { lstatSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import type { SqliteDatabase } from '../loadSqlite.js';

export interface MissingUpload {
  rowId: number;
  filePath: string;
  spaceId: string;
}

/**
 * pending_uploads rows whose file is gone. Trackio records the file's path as it was when logged
 * (absolute); a relative one is taken below <data dir>/media. Only looked at (lstat), never opened.
 */
export function findMissingUploads(db: SqliteDatabase, columns: ReadonlySet<string> | undefined, dataDir: string): MissingUpload[] {
  if (!columns?.has('file_path')) return [];
  const out: MissingUpload[] = [];
  const rows = db.prepare(`SELECT rowid, file_path, ${columns.has('space_id') ? 'space_id' : 'NULL'} FROM pending_uploads ORDER BY rowid`).raw(true).iterate() as IterableIterator<[number, unknown, unknown]>;
  for (const [rowId, filePath, spaceId] of rows) {
    if (typeof filePath !== 'string' || filePath === '') continue;
    const abs = isAbsolute(filePath) ? filePath : join(dataDir, 'media', filePath);
    let exists = true;
    try {
      lstatSync(abs);
    } catch (err) {
      exists = (err as NodeJS.ErrnoException).code !== 'ENOENT' && (err as NodeJS.ErrnoException).code !== 'ENOTDIR';
    }
    if (!exists) out.push({ rowId, filePath, spaceId: String(spaceId) });
  }
  return out;
}
