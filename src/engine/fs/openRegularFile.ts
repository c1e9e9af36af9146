import { constants, type Stats } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { fsPath } from './pathBytes.js';

/**
 * The one way trackio-fsck opens a file to read it. O_NOFOLLOW: a symbolic link in the file's
 * place (say, to /dev/zero) is refused, not followed; O_NONBLOCK: a FIFO opens at once instead of
 * waiting for a writer; then fstat on the open descriptor, so what is read is what was checked:
 * anything but a regular file (FIFO, device, directory, socket) is closed unread.
 */
export const FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;

/** Thrown for a path that is not a regular file (it was not read); `code` says what it is. */
export class NotRegularFileError extends Error {
  constructor(
    readonly path: string,
    readonly code: 'ELOOP' | 'EISDIR' | 'ENOTREG',
    what: string,
  ) {
    super(`${path} is ${what}, not a regular file: not read`);
  }
}

export async function openRegularFile(path: string): Promise<{ fh: FileHandle; stat: Stats }> {
  let fh: FileHandle;
  try {
    fh = await open(fsPath(path), FLAGS);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') throw new NotRegularFileError(path, 'ELOOP', 'a symbolic link');
    if (code === 'EISDIR') throw new NotRegularFileError(path, 'EISDIR', 'a directory');
    throw err;
  }
  const stat = await fh.stat();
  if (!stat.isFile()) {
    await fh.close();
    throw new NotRegularFileError(path, stat.isDirectory() ? 'EISDIR' : 'ENOTREG', describe(stat));
  }
  return { fh, stat };
}

/** Largest state file (manifest, record, index, metadata) read whole; beyond it the file is not ours. */
export const MAX_STATE_BYTES = 2 ** 30;

/**
 * Reads a small file of trackio-fsck's own (a manifest, record, snapshot index or metadata, a
 * journal) whole, through openRegularFile. Undefined when it does not exist; a FIFO, device, link
 * or directory in its place throws NotRegularFileError and is never read.
 */
export async function readRegularFile(path: string, maxBytes = MAX_STATE_BYTES): Promise<Buffer | undefined> {
  let opened;
  try {
    opened = await openRegularFile(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  const { fh, stat } = opened;
  try {
    if (stat.size > maxBytes) throw new Error(`${path} is ${stat.size} bytes, more than any file of this kind: not read`);
    const chunks: Buffer[] = [];
    let total = 0;
    const buf = Buffer.allocUnsafe(Math.min(Math.max(stat.size + 1, 4096), 1 << 20));
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      total += bytesRead;
      if (total > maxBytes) throw new Error(`${path} grew past ${maxBytes} bytes while read: not read`);
      chunks.push(Buffer.from(buf.subarray(0, bytesRead)));
    }
    return Buffer.concat(chunks, total);
  } finally {
    await fh.close();
  }
}

export function describe(st: Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a FIFO';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}
