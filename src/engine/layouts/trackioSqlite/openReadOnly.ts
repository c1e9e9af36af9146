import { copyFile, mkdtemp, open, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSqlite, sqliteUri, type SqliteDatabase } from './loadSqlite.js';
import type { SqliteHeader } from './readSqliteHeader.js';

/** The files SQLite keeps beside a database, as they were before anything was opened. */
export interface Sidecars {
  /** Bytes in <db>-wal (undefined: no such file). */
  wal?: number;
  shm?: number;
  journal?: number;
  /** The rollback journal is hot: an interrupted transaction the next writer must roll back. */
  hotJournal: boolean;
}

const JOURNAL_MAGIC = Buffer.from([0xd9, 0xd5, 0x05, 0xf9, 0x20, 0xa1, 0x63, 0xd7]);

export async function readSidecars(dbPath: string): Promise<Sidecars> {
  const size = async (p: string) => (await stat(p).catch(() => undefined))?.size;
  const [wal, shm, journal] = await Promise.all([size(`${dbPath}-wal`), size(`${dbPath}-shm`), size(`${dbPath}-journal`)]);
  let hotJournal = false;
  if (journal) {
    const fh = await open(`${dbPath}-journal`, 'r');
    try {
      const head = Buffer.alloc(8);
      await fh.read(head, 0, 8, 0);
      hotJournal = head.equals(JOURNAL_MAGIC);
    } finally {
      await fh.close();
    }
  }
  return { wal, shm, journal, hotJournal };
}

export interface ReadOnlyDatabase {
  db: SqliteDatabase;
  /**
   * How it was opened:
   * - `immutable`: the file alone, no locks, no -wal/-shm (nothing else is writing and the file holds all the data);
   * - `shared`: read-only through SQLite's locking, because a writer is live (its -wal/-shm are in use anyway);
   * - `private-copy`: a copy in a temp dir, because the data includes a -wal or hot journal that SQLite
   *   must replay or roll back, which it cannot do read-only without writing beside the original.
   */
  how: 'immutable' | 'shared' | 'private-copy';
  close(): Promise<void>;
}

/**
 * Opens a project database for reading and leaves its directory exactly as found: no new -wal or
 * -shm files, no changed bytes or mtimes. Plain `readonly` is not enough: on a WAL database SQLite
 * creates -wal and -shm for any reader and leaves them behind.
 */
export async function openReadOnly(dbPath: string, header: SqliteHeader, live: boolean): Promise<ReadOnlyDatabase> {
  const Database = loadSqlite();
  if (live) {
    const db = new Database(dbPath, { readonly: true, fileMustExist: true });
    return { db, how: 'shared', close: async () => void db.close() };
  }
  const sidecars = await readSidecars(dbPath);
  const replay = header.wal ? (sidecars.wal ?? 0) > 0 : sidecars.hotJournal;
  if (!replay) {
    try {
      const db = new Database(sqliteUri(dbPath, { immutable: '1' }), { readonly: true, fileMustExist: true });
      return { db, how: 'immutable', close: async () => void db.close() };
    } catch (err) {
      // CANTOPEN on a file that exists: better-sqlite3 was loaded before loadSqlite() could turn URI
      // names on (a library user imported it first). The private copy is slower but just as exact.
      if ((err as { code?: string }).code !== 'SQLITE_CANTOPEN') throw err;
    }
  }
  const dir = await mkdtemp(join(tmpdir(), 'trackio-fsck-db-'));
  const copy = join(dir, 'copy.db');
  try {
    await copyFile(dbPath, copy);
    if (replay) {
      const sidecar = header.wal ? '-wal' : '-journal';
      await copyFile(dbPath + sidecar, copy + sidecar);
    }
    // Read-write on the copy, so SQLite replays the WAL or rolls the journal back as the next writer would.
    const db = new Database(copy, { fileMustExist: true });
    return {
      db,
      how: 'private-copy',
      close: async () => {
        db.close();
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}
