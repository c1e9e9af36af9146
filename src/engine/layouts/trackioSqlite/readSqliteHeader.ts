import { open } from 'node:fs/promises';

const MAGIC = Buffer.from('SQLite format 3\0', 'latin1');

export interface SqliteHeader {
  pageSize: number;
  /** Journal mode recorded in the file: WAL (format version 2) or a rollback journal (1). */
  wal: boolean;
  /** Pages, as the header counts them (0 in files written by very old SQLite versions). */
  pageCount: number;
}

/**
 * The first 100 bytes of a database file, read without SQLite: whether it is a database at all and
 * whether it is in WAL mode, which decides how it can be opened without leaving files behind.
 * Returns undefined for a file that is not a SQLite database (or is empty).
 */
export async function readSqliteHeader(path: string): Promise<SqliteHeader | undefined> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(100);
    const { bytesRead } = await fh.read(buf, 0, 100, 0);
    if (bytesRead < 100 || !buf.subarray(0, 16).equals(MAGIC)) return undefined;
    const raw = buf.readUInt16BE(16);
    const pageSize = raw === 1 ? 65536 : raw;
    if (pageSize < 512 || (pageSize & (pageSize - 1)) !== 0) return undefined;
    return { pageSize, wal: buf[18] === 2 || buf[19] === 2, pageCount: buf.readUInt32BE(28) };
  } finally {
    await fh.close();
  }
}
