import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

/** Files up to this size are read whole; larger ones page by page with positional reads. */
export const WHOLE_FILE_LIMIT = 64 * 1024 * 1024;

/** Read-only access to a file's bytes by offset; reads past the end come back shorter (or empty). */
export interface DbFile {
  size: number;
  read(offset: number, length: number): Buffer;
  close(): void;
}

export function openDbFile(path: string): DbFile {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    if (size <= WHOLE_FILE_LIMIT) {
      const whole = Buffer.alloc(size);
      let got = 0;
      while (got < size) {
        const n = readSync(fd, whole, got, size - got, got);
        if (n === 0) break;
        got += n;
      }
      closeSync(fd);
      const data = whole.subarray(0, got);
      return { size: got, read: (offset, length) => data.subarray(Math.min(offset, got), Math.min(offset + length, got)), close: () => {} };
    }
    return {
      size,
      read(offset, length) {
        const end = Math.min(offset + length, size);
        if (offset >= end) return Buffer.alloc(0);
        const buf = Buffer.allocUnsafe(end - offset);
        let got = 0;
        while (got < buf.length) {
          const n = readSync(fd, buf, got, buf.length - got, offset + got);
          if (n === 0) break;
          got += n;
        }
        return buf.subarray(0, got);
      },
      close: () => closeSync(fd),
    };
  } catch (err) {
    try {
      closeSync(fd);
    } catch {
      // already closed after a whole read
    }
    throw err;
  }
}

/** A DbFile over bytes already in memory (tests, WAL-less copies). */
export function bufferDbFile(data: Buffer): DbFile {
  return { size: data.length, read: (o, l) => data.subarray(Math.min(o, data.length), Math.min(o + l, data.length)), close: () => {} };
}
