import { readSync } from 'node:fs';
import { MAX_STATE_BYTES } from '../fs/openRegularFile.js';

/** Bytes read at a time. */
const CHUNK = 1 << 20;

/**
 * Lines of an open state file (a manifest, a record), pulled one at a time from a byte offset by
 * positional reads: two of them walk a manifest and its record side by side (a merge), and a file
 * renamed over while it is read is still read as it was opened. A line is a range of a buffer that
 * the next call reuses; `offset` is where the line just returned began.
 */
export class LineCursor {
  private buf: Buffer = Buffer.allocUnsafe(CHUNK);
  /** File offset of buf[0]. */
  private base: number;
  private start = 0;
  private end = 0;
  private eof = false;
  offset = 0;

  constructor(
    private readonly fd: number,
    private readonly path: string,
    from = 0,
    private readonly onChunk?: (chunk: Buffer) => void,
  ) {
    this.base = from;
  }

  /** The next line without its '\n' as [buf, start, end], or undefined at the end of the file. */
  next(): [Buffer, number, number] | undefined {
    for (;;) {
      const nl = this.buf.indexOf(10, this.start);
      if (nl !== -1 && nl < this.end) {
        const line: [Buffer, number, number] = [this.buf, this.start, nl];
        this.offset = this.base + this.start;
        this.start = nl + 1;
        return line;
      }
      if (this.eof) {
        if (this.start >= this.end) return undefined;
        const line: [Buffer, number, number] = [this.buf, this.start, this.end];
        this.offset = this.base + this.start;
        this.start = this.end;
        return line;
      }
      this.fill();
    }
  }

  /** Moves the unread tail to the front (growing the buffer for a line longer than it) and reads more. */
  private fill(): void {
    const left = this.end - this.start;
    if (left === this.buf.length) {
      const bigger = Buffer.allocUnsafe(this.buf.length * 2);
      this.buf.copy(bigger, 0, this.start, this.end);
      this.buf = bigger;
    } else if (this.start > 0) {
      this.buf.copy(this.buf, 0, this.start, this.end);
    }
    this.base += this.start;
    this.start = 0;
    this.end = left;
    const n = readSync(this.fd, this.buf, this.end, this.buf.length - this.end, this.base + this.end);
    if (n === 0) {
      this.eof = true;
      return;
    }
    if (this.base + this.end + n > MAX_STATE_BYTES) throw new Error(`${this.path} grew past ${MAX_STATE_BYTES} bytes while read: not read`);
    this.onChunk?.(this.buf.subarray(this.end, this.end + n));
    this.end += n;
  }
}
