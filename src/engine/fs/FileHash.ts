import { createHash } from 'node:crypto';

/**
 * SHA-256 of a file fed chunk by chunk and, in the same pass, of its first `prefixBytes` bytes
 * (an append-only file's recorded length): the running hash is copied where the prefix ends, so no
 * byte is hashed twice.
 */
export class FileHash {
  private readonly hash = createHash('sha256');
  private seen = 0;
  private prefix: string | undefined;

  constructor(private readonly prefixBytes?: number) {
    if (prefixBytes === 0) this.prefix = this.hash.copy().digest('hex');
  }

  update(chunk: Buffer): void {
    const p = this.prefixBytes;
    if (p !== undefined && this.seen < p && this.seen + chunk.length >= p) {
      const cut = p - this.seen;
      this.hash.update(chunk.subarray(0, cut));
      this.prefix = this.hash.copy().digest('hex');
      this.hash.update(chunk.subarray(cut));
    } else {
      this.hash.update(chunk);
    }
    this.seen += chunk.length;
  }

  /** The prefix's hash, when the file was at least `prefixBytes` long. */
  get prefixSha256(): string | undefined {
    return this.prefix;
  }

  digest(): string {
    return this.hash.digest('hex');
  }
}
