import { open } from 'node:fs/promises';
import { fsPath } from '../fs/pathBytes.js';

/**
 * Large copies sent to the disk as soon as they are made (fdatasync, on libuv's thread pool, which
 * waits on the disk and not on a core) rather than all at the end: the disk writes them while the
 * next files are copied, and the syncfs that makes the whole tree durable before it is renamed
 * into place (syncTree) finds little left to write. Only earlier, never instead: the syncfs still
 * covers every file. A failed flush fails the backup (the syncfs, opened later, would not report
 * an error a flush already took).
 */
export class EarlyFlush {
  private readonly pending: Array<Promise<void>> = [];
  private failure?: { rel: string; err: unknown };

  start(path: string, rel: string): void {
    this.pending.push(
      flush(path).catch((err: unknown) => {
        this.failure ??= { rel, err };
      }),
    );
  }

  /** Waits for every flush started; the first that failed, if any, with the file it was for. */
  async finish(): Promise<{ rel: string; err: unknown } | undefined> {
    await Promise.all(this.pending);
    return this.failure;
  }
}

async function flush(path: string): Promise<void> {
  const fh = await open(fsPath(path), 'r');
  try {
    await fh.datasync();
  } finally {
    await fh.close();
  }
}
