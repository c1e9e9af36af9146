import { open } from 'node:fs/promises';
import { fsPath } from './pathBytes.js';

/** Makes a rename or unlink inside `dir` durable: without it a power cut can undo the rename. */
export async function fsyncDir(dir: string): Promise<void> {
  const fh = await open(fsPath(dir), 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}
