import type { FindingCode } from './codes.js';
import type { Fix, FixAction, Severity } from './Fix.js';

export type { Fix, FixAction, Severity };

/**
 * Structured facts a finding carries for programs, by code: what a renderer or a later step needs
 * is read from here, never parsed out of the message. Codes without an entry carry none.
 */
export interface FindingArgs {
  'backup/modified': {
    /** Names (hard-linked snapshots) sharing the damaged inode: they all hold these bytes. */
    sharedBy?: number;
    sha256?: string;
    expected?: string;
  };
  'trackio/stale-parquet': {
    /** The table the sidecar mirrors. */
    table: string;
    /** Rows in the sidecar, and how many of them (by key) the table lacks: when it could be read. */
    rows?: number;
    missing?: number;
    /** Why it could not be compared (then only its age was judged). */
    unread?: string;
  };
}

export type ArgsOf<C extends string> = C extends keyof FindingArgs ? FindingArgs[C] : never;

export interface Finding<C extends FindingCode = FindingCode> {
  /** Stable, documented code such as `jsonl/truncated-tail`; scripts may rely on it. */
  code: C;
  /** Structured facts for programs (FindingArgs); the message says the same for people. */
  args?: ArgsOf<C>;
  severity: Severity;
  /** Run id, or null for findings about the data dir as a whole. */
  run: string | null;
  /** Path relative to the data dir, with '/'. */
  path: string;
  /** 1-based line number, for line-oriented files. */
  line?: number;
  /** Byte offset from the start of the file. */
  offset?: number;
  message: string;
  fix?: Fix;
  /** How many further occurrences of the same code in the same file were folded into this finding. */
  more?: number;
  /** SQLite databases: the table the finding is about. */
  table?: string;
  /** SQLite databases: the row's id (its rowid). */
  rowId?: number;
}

/** What one pass over a file learned about it, besides findings: the manifest is built from these. */
export interface FileRecord {
  path: string;
  run: string | null;
  size: number;
  sha256: string;
  mtimeMs: number;
  ino: number;
  /** Lines read (JSONL files only). */
  lines?: number;
  /** SHA-256 of the first bytes the manifest recorded, for an append-only file that may have grown. */
  prefixSha256?: string;
  /** Findings this file produced: the manifest record keeps them so `check --fast` can replay them. */
  findings?: Finding[];
  /** Read while its run was live: its tail may be unfinished, so --fast never trusts its record. */
  live?: boolean;
  /** Not read: `check --fast` took it from the manifest because size, mtime and inode were unchanged. */
  trusted?: boolean;
}
