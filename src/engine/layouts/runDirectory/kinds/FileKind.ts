import type { Stats } from 'node:fs';
import type { Finding, FileRecord } from '../../../finding.js';

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
}
