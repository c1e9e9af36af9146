import { formatBytes } from './formatBytes.js';

/** `1:05`, `12 s`: how long is left, in the fewest characters a person reads at a glance. */
function formatSeconds(s: number): string {
  if (!Number.isFinite(s) || s < 0) return '?';
  if (s < 60) return `${Math.ceil(s)} s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m}:${String(Math.floor(s % 60)).padStart(2, '0')}` : `${Math.floor(m / 60)} h ${m % 60} min`;
}

/**
 * A progress bar on stderr, for people only: drawn when stderr is a TTY and the work takes longer
 * than a moment, redrawn at most ten times a second, erased when done. It counts whole files
 * (`advance`) and, inside a large file, the bytes read so far (`read`), so a 20 GB metrics file
 * moves the bar too; it shows the rate and the time left.
 */
export class ProgressBar {
  private total = 0;
  private filesBytes = 0;
  private readBytes = 0;
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

  /** A whole file is done. */
  advance(bytes: number): void {
    this.filesBytes += bytes;
    this.files++;
    this.draw();
  }

  /** Bytes read inside files (a file's bytes are counted here as well as by advance: the larger count wins). */
  read(bytes: number): void {
    this.readBytes += bytes;
    this.draw();
  }

  /** What a person sees: exported for tests, which have no terminal. */
  line(now = Date.now()): string {
    const done = Math.min(this.total > 0 ? this.total : Infinity, Math.max(this.filesBytes, this.readBytes));
    const seconds0 = Math.max(0.001, (now - this.startedAt) / 1000);
    if (this.total === 0) return `${formatBytes(done)} read  ${formatBytes(Math.round(done / seconds0))}/s  ${this.files} files`;
    const width = 24;
    const ratio = this.total > 0 ? Math.min(1, done / this.total) : 0;
    const filled = Math.round(ratio * width);
    const bar = '#'.repeat(filled) + '-'.repeat(width - filled);
    const seconds = Math.max(0.001, (now - this.startedAt) / 1000);
    const rate = done / seconds;
    const left = this.total > 0 && rate > 0 ? formatSeconds((this.total - done) / rate) : '?';
    const files = this.totalFiles > 0 ? `  ${this.files}/${this.totalFiles} files` : `  ${this.files} files`;
    return `[${bar}] ${Math.round(ratio * 100)}%  ${formatBytes(done)} / ${formatBytes(this.total)}  ${formatBytes(Math.round(rate))}/s  ${left} left${files}`;
  }

  private draw(): void {
    if (!this.enabled) return;
    const now = Date.now();
    if (now - this.startedAt < 300 || now - this.lastDraw < 100) return;
    this.lastDraw = now;
    this.stream.write(`\r${this.line(now)}\x1b[K`);
    this.drawn = true;
  }

  stop(): void {
    if (this.drawn) this.stream.write('\r\x1b[K');
    this.drawn = false;
  }
}
