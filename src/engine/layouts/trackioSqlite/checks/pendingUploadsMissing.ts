import { lstatSync } from 'node:fs';
import { isAbsolute, join, sep } from 'node:path';
import type { SqliteDatabase } from '../loadSqlite.js';

export interface MissingUpload {
  rowId: number;
  filePath: string;
  spaceId: string;
  /**
   * Where this data dir holds the file (media/... or artifacts/...), when the recorded absolute
   * path is elsewhere: the data dir was copied, downloaded or restored from where Trackio wrote it.
   */
  foundAt?: string;
}

/**
 * pending_uploads rows whose file is gone. Trackio records the file's path as it was when logged
 * (absolute, as real Trackio 0.36 writes it: /home/ada/.cache/huggingface/trackio/media/...); a
 * relative one is taken below <data dir>/media. Trackio's sync looks only at the recorded path and
 * drops the row when nothing is there. In a copy of the data dir (off-site, a snapshot, a moved
 * TRACKIO_DIR) the recorded path points outside it, and the file is usually here under the same
 * media/ or artifacts/ tail: that is said (foundAt), since the bytes are not lost. Only looked at
 * (lstat), never opened.
 */
export function findMissingUploads(db: SqliteDatabase, columns: ReadonlySet<string> | undefined, dataDir: string): MissingUpload[] {
  if (!columns?.has('file_path')) return [];
  const out: MissingUpload[] = [];
  const rows = db.prepare(`SELECT rowid, file_path, ${columns.has('space_id') ? 'space_id' : 'NULL'} FROM pending_uploads ORDER BY rowid`).raw(true).iterate() as IterableIterator<[number, unknown, unknown]>;
  for (const [rowId, filePath, spaceId] of rows) {
    if (typeof filePath !== 'string' || filePath === '') continue;
    const abs = isAbsolute(filePath) ? filePath : join(dataDir, 'media', filePath);
    if (exists(abs)) continue;
    const foundAt = isAbsolute(filePath) ? relocated(filePath, dataDir) : undefined;
    out.push({ rowId, filePath, spaceId: String(spaceId), ...(foundAt ? { foundAt } : {}) });
  }
  return out;
}

function exists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code !== 'ENOENT' && code !== 'ENOTDIR';
  }
}

/** The recorded path's media/... or artifacts/... tail, when this data dir has a file there. */
function relocated(filePath: string, dataDir: string): string | undefined {
  for (const top of ['media', 'artifacts']) {
    const at = filePath.lastIndexOf(`${sep}${top}${sep}`);
    if (at < 0) continue;
    const tail = filePath.slice(at + 1);
    if (exists(join(dataDir, tail))) return tail.split(sep).join('/');
  }
  return undefined;
}
