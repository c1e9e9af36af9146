import type { Finding } from '../finding.js';

/** What the tool's record keeps about one file, beside its line in manifest-sha256.txt. */
export interface RecordEntry {
  sha256: string;
  /** Bytes hashed (the whole file when the manifest was written). */
  size: number;
  mtimeMs: number;
  ino: number;
  /** Growth past `size` is an append, not a change, when the first `size` bytes still match. */
  appendOnly?: true;
  /** Read while its run was being written: --fast never trusts it. */
  live?: true;
  lines?: number;
  /** Findings the file produced when it was recorded; `check --fast` replays them. */
  findings?: Finding[];
}
