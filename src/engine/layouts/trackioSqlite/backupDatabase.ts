import { existsSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { FsckError } from '../../errors.js';
import { fsyncDir } from '../../fs/fsyncDir.js';
import { isProjectLive } from './isProjectLive.js';
import { loadSqlite } from './loadSqlite.js';
import { openReadOnly, type ReadOnlyDatabase } from './openReadOnly.js';
import { readSqliteHeader } from './readSqliteHeader.js';
import { reindexDatabase } from './reindexDatabase.js';

export interface BackupResult {
  dest: string;
  pages: number;
}

/**
 * Copies a database with SQLite's online backup API (consistent even while a writer is live, with
 * whatever its -wal holds), never a plain file copy, then runs PRAGMA integrity_check on the copy:
 * a copy that fails is removed and the backup fails loudly. `dest` must not exist. `reindex`:
 * rebuild the copy's indexes first (repair of sqlite/index).
 * The source is opened as check opens it (openReadOnly): through SQLite's locking when its project
 * is live, else without leaving -wal/-shm files beside it (stale ones break Trackio's imports).
 */
export async function backupDatabase(src: string, dest: string, options: { reindex?: boolean } = {}): Promise<BackupResult> {
  if (existsSync(dest)) throw new FsckError(`backup target already exists: ${dest}`);
  const Database = loadSqlite();
  let source: ReadOnlyDatabase;
  try {
    const header = await readSqliteHeader(src);
    if (!header) throw new Error('not a SQLite database');
    const live = await isProjectLive(dirname(src), basename(src).replace(/\.db$/, ''));
    source = await openReadOnly(src, header, live);
  } catch (err) {
    throw new FsckError(`cannot open ${src} for backup: ${(err as Error).message}`);
  }
  let pages = 0;
  try {
    await source.db.backup(dest, {
      progress: ({ totalPages }) => {
        pages = totalPages;
        return 1024;
      },
    });
  } catch (err) {
    await removeQuietly(dest);
    throw new FsckError(`backup of ${src} failed: ${(err as Error).message}`);
  } finally {
    await source.close();
  }
  const copy = new Database(dest, { fileMustExist: true });
  try {
    // The copy is a standalone file: a rollback journal, so no -wal/-shm travel with it.
    copy.pragma('journal_mode = DELETE');
    // A repair of index-only damage (sqlite/index): the copy's indexes are rebuilt before it is judged.
    if (options.reindex) reindexDatabase(copy);
    const result = copy.prepare('PRAGMA integrity_check').pluck().all() as string[];
    if (result.length !== 1 || result[0] !== 'ok') throw new Error(result.slice(0, 3).join('; '));
    if (pages === 0) pages = copy.pragma('page_count', { simple: true }) as number;
    copy.close();
  } catch (err) {
    if (copy.open) copy.close();
    await removeQuietly(dest);
    throw new FsckError(`backup copy of ${src} fails integrity_check (${(err as Error).message}): the source database is damaged; no backup was made`);
  }
  await fsyncDir(dirname(dest));
  return { dest, pages };
}

async function removeQuietly(path: string): Promise<void> {
  const { rm } = await import('node:fs/promises');
  for (const p of [path, `${path}-journal`, `${path}-wal`, `${path}-shm`]) await rm(p, { force: true });
}
