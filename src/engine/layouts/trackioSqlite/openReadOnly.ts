import { copyFile, mkdtemp, open, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { openFiles } from '../../live/openFiles.js';
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
  const sidecars = await readSidecars(dbPath);
  if (live) {
    // A connection that has the database open keeps its -wal and -shm in use: reading beside it
    // through SQLite's locking, as every reader does, creates nothing. Rollback-journal readers
    // never create files either (a hot journal needs rolling back, which only a copy allows).
    const inUse = header.wal ? sidecars.wal !== undefined && sidecars.shm !== undefined && (await openElsewhere(dbPath)) : !sidecars.hotJournal;
    if (inUse) {
      const db = new Database(dbPath, { readonly: true, fileMustExist: true });
      return { db, how: 'shared', close: async () => void db.close() };
    }
    // Live by its lock only (nobody has the database open): SQLite's read-only open would create
    // -wal and -shm beside a WAL database that has none, or rebuild an -shm no connection holds.
    // A private copy, taken while nothing moved, reads the same committed data and leaves the
    // directory as found.
    const copy = await stableCopy(dbPath, header, sidecars);
    if (copy) return copy;
    return privateCopy(dbPath, header, header.wal ? (sidecars.wal ?? 0) > 0 : sidecars.hotJournal);
  }
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
  return privateCopy(dbPath, header, replay);
}

/** True when another process has the database or its -wal open (a live SQLite connection). */
async function openElsewhere(dbPath: string): Promise<boolean> {
  const names = new Set([dbPath, `${dbPath}-wal`]);
  return (await openFiles(dirname(dbPath))).some((h) => names.has(h.path));
}

/** What tells that a file moved while it was copied. */
async function fingerprint(path: string): Promise<string> {
  const st = await stat(path).catch(() => undefined);
  return st ? `${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}` : '-';
}

/** A private copy of a live database taken while the database and its -wal/-journal held still; undefined when they kept moving. */
async function stableCopy(dbPath: string, header: SqliteHeader, sidecars: Sidecars): Promise<ReadOnlyDatabase | undefined> {
  const sidecar = header.wal ? '-wal' : '-journal';
  for (let attempt = 0; attempt < 3; attempt++) {
    const before = [await fingerprint(dbPath), await fingerprint(dbPath + sidecar)];
    const replay = header.wal ? (sidecars.wal ?? 0) > 0 : sidecars.hotJournal;
    const opened = await privateCopy(dbPath, header, replay, false);
    const after = [await fingerprint(dbPath), await fingerprint(dbPath + sidecar)];
    if (before[0] === after[0] && before[1] === after[1]) {
      opened.db = new (loadSqlite())(opened.path, { fileMustExist: true });
      return opened;
    }
    await opened.close();
    sidecars = await readSidecars(dbPath);
  }
  return undefined;
}

/**
 * A copy in a temp dir (with the -wal or hot journal SQLite must replay or roll back, which it
 * cannot do read-only without writing beside the original), opened read-write so SQLite does that
 * there. `open` false: the copy only, for the caller to open once it knows the copy is good.
 */
async function privateCopy(dbPath: string, header: SqliteHeader, replay: boolean, open = true): Promise<ReadOnlyDatabase & { path: string }> {
  const Database = loadSqlite();
  const dir = await mkdtemp(join(tmpdir(), 'trackio-fsck-db-'));
  const copy = join(dir, 'copy.db');
  try {
    await copyFile(dbPath, copy);
    if (replay) {
      const sidecar = header.wal ? '-wal' : '-journal';
      await copyFile(dbPath + sidecar, copy + sidecar).catch((err: NodeJS.ErrnoException) => {
        // Checkpointed and removed between the look and the copy: the database holds it all now.
        if (err.code !== 'ENOENT') throw err;
      });
    }
    const result: ReadOnlyDatabase & { path: string } = {
      db: (open ? new Database(copy, { fileMustExist: true }) : undefined) as unknown as SqliteDatabase,
      how: 'private-copy',
      path: copy,
      close: async () => {
        (result.db as SqliteDatabase | undefined)?.close();
        await rm(dir, { recursive: true, force: true });
      },
    };
    return result;
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}
