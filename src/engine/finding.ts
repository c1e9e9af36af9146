/** A problem (or a fact worth telling) about the data. Checks produce findings, repair consumes them, renderers print them. */
export type Severity = 'error' | 'warning' | 'info';

/** What repair would do about a finding. `safe` fixes lose no information and are applied by `repair --preen`. */
export type FixAction =
  | 'trim-last-line'
  | 'append-final-newline'
  | 'strip-nul-bytes'
  | 'quarantine-lines'
  | 'quarantine-file'
  | 'quarantine-run'
  | 'restore-from-backup'
  | 'none'
  | 'quarantine-rows'
  | 'salvage-database'
  | 'reindex-database';

export interface Fix {
  action: FixAction;
  /** true when applying it loses no information (repair --preen applies only these). */
  safe: boolean;
  description: string;
}

export interface Finding {
  /** Stable, documented code such as `jsonl/truncated-tail`; scripts may rely on it. */
  code: string;
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
