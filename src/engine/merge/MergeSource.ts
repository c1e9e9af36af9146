/**
 * What a merge step takes from the other copy (B): a file to copy in or keep, or rows of its
 * database. B is only ever read; every path here is absolute and outside the data dir.
 */
export interface MergeSource {
  /** B's file: the database rows come from, or the file copied in or kept in quarantine. */
  from: string;
  /** merge-rows on a database: B's row ids per table that DIR lacks (inserted, with new ids where DIR's collide). */
  bring?: Record<string, number[]>;
  /** B's row ids per table whose row differs from DIR's: written to quarantine as JSONL, never inserted. */
  conflicts?: Record<string, number[]>;
  /** The project is only in B: its whole database is copied in (SQLite's backup API, B read-only). */
  whole?: boolean;
  /** SHA-256 of the rows to bring as the plan read them (their JSONL lines): apply stops if B changed since. */
  digest?: string;
  /** SHA-256 of the conflicting rows' JSONL lines: the content of the file that keeps them (a later merge finds it kept). */
  keptDigest?: string;
}
