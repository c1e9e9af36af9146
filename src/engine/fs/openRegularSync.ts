import { closeSync, fstatSync, openSync, type Stats } from 'node:fs';
import { describe, FLAGS, NotRegularFileError } from './openRegularFile.js';
import { fsPath } from './pathBytes.js';

/**
 * openRegularFile, synchronously, for the readers that go through many small files on one thread
 * (check's small files, backup's copies): the same flags, and anything but a regular file is
 * closed unread. Returns the descriptor (the caller closes it) and its fstat.
 */
export function openRegularSync(path: string): { fd: number; stat: Stats } {
  let fd: number;
  try {
    fd = openSync(fsPath(path), FLAGS);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') throw new NotRegularFileError(path, 'ELOOP', 'a symbolic link');
    if (code === 'EISDIR') throw new NotRegularFileError(path, 'EISDIR', 'a directory');
    throw err;
  }
  const stat = fstatSync(fd);
  if (!stat.isFile()) {
    closeSync(fd);
    throw new NotRegularFileError(path, stat.isDirectory() ? 'EISDIR' : 'ENOTREG', describe(stat));
  }
  return { fd, stat };
}
