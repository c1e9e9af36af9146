import { onReadProgress } from '../../engine/fs/readProgress.js';
import { ProgressBar } from './ProgressBar.js';

/**
 * Runs `work` with a progress bar on stderr when stderr is a terminal (and not for --json or
 * --quiet): the engine's events move it by whole files, the bytes its readers report move it
 * inside large files (countReads: false where a command reads a byte more than once, as backup
 * reads each copy back). On a non-terminal nothing is drawn and nothing listens.
 */
export async function showProgress<T>(wanted: boolean, work: (bar: ProgressBar | undefined) => Promise<T>, { countReads = true } = {}): Promise<T> {
  const bar = wanted && process.stderr.isTTY ? new ProgressBar() : undefined;
  const stop = bar && countReads ? onReadProgress((n) => bar.read(n)) : undefined;
  try {
    return await work(bar);
  } finally {
    stop?.();
    bar?.stop();
  }
}
