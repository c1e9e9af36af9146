import { formatBytes } from './formatBytes.js';

/**
 * A progress bar on stderr, for people only: drawn when stderr is a TTY and the work takes longer
 * than a moment, redrawn at most ten times a second, erased when done.
 */
export class ProgressBar {
  private total = 0;
  private done = 0;
  private files = 0;
  private totalFiles = 0;
  private lastDraw = 0;
  private readonly startedAt = Date.now();
  private drawn = false;

  constructor(private readonly stream: NodeJS.WriteStream = process.stderr) {}

  get enabled(): boolean {
    return Boolean(this.stream.isTTY);
  }

  start(totalBytes: number, totalFiles: number): void {
    this.total = totalBytes;
    this.totalFiles = totalFiles;
  }

  advance(bytes: number): void {
    this.done += bytes;
    this.files++;
    const now = Date.now();
    if (!this.enabled || now - this.startedAt < 300 || now - this.lastDraw < 100) return;
    this.lastDraw = now;
    const width = 30;
    const ratio = this.total > 0 ? Math.min(1, this.done / this.total) : 1;
    const filled = Math.round(ratio * width);
    const bar = '#'.repeat(filled) + '-'.repeat(width - filled);
    this.stream.write(`\r[${bar}] ${Math.round(ratio * 100)}%  ${formatBytes(this.done)} / ${formatBytes(this.total)}  ${this.files}/${this.totalFiles} files\x1b[K`);
    this.drawn = true;
  }

  stop(): void {
    if (this.drawn) this.stream.write('\r\x1b[K');
    this.drawn = false;
  }
}
