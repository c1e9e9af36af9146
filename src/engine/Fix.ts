/** How bad a finding is: an error blocks (exit 4), a warning only with --strict, info never. */
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
  | 'reindex-database'
  | 'quarantine-duplicate-rows'
  /** sqlite/nonfinite-number: bare NaN/Infinity tokens quoted into the strings Trackio reads, in a fresh copy. */
  | 'rewrite-nonfinite-cells'
  /** merge (issue 13): rows of another copy inserted, a file of it copied in, or its differing version kept in quarantine. */
  | 'merge-rows'
  | 'merge-file'
  | 'keep-theirs';

export interface Fix {
  action: FixAction;
  /** true when applying it loses no information (repair --preen applies only these). */
  safe: boolean;
  description: string;
}
