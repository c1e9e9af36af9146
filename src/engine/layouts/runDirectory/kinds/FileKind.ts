import type { Stats } from 'node:fs';
import type { Finding, FileRecord } from '../../../finding.js';
import type { ReadResult } from '../../../fs/readFileOnce.js';

/** Everything a file kind needs to check one file. */
export interface FileContext {
  /** Absolute path to read. */
  abs: string;
  /** Path relative to the data dir, with '/'. */
  rel: string;
  run: string | null;
  /** lstat of the path, taken by the walk. */
  stat: Stats;
  /** The run is being written right now. */
  live: boolean;
  emit(finding: Finding): void;
  /** Also hash this many leading bytes (the length a manifest recorded for an append-only file). */
  prefixBytes?: number;
}

/** One interface per file kind (JSONL stream, JSON document, opaque file): each reads its bytes once. */
export interface FileKind {
  name: 'jsonl' | 'json' | 'opaque';
  check(ctx: FileContext): Promise<FileRecord>;
  /**
   * The same check with the reading left to the caller (a small file read synchronously): the
   * file's chunks in order, each valid only during `push`, then the read's result. Undefined when
   * this file must be read by `check` (a metrics.jsonl large enough for worker threads).
   */
  begin(ctx: FileContext): FileScan | undefined;
  /** Loads, once, what `begin` may need and cannot load synchronously. */
  prepare?(): Promise<void>;
}

/** One file's check, fed by whoever reads it. */
export interface FileScan {
  push(chunk: Buffer): void;
  finish(read: ReadResult): FileRecord;
}
