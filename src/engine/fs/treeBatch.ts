import type { TreeEntry } from './hashFilesBatch.js';

/**
 * The walk of some directories as one structured-clone-cheap message: a few strings and one
 * Float64Array instead of three objects per file (cloning 50 000 small objects between threads
 * cost about as much as hashing the files). TreeQueue's workers send it; the calling thread
 * turns it back into TreeEntry lists.
 */
export interface TreeBatch {
  /** Per entry: directory index, type (+ HASHED when it has an outcome), size read, size, mtimeMs, ino, error (0: none, else 1 + its index in `errors`). */
  nums: Float64Array;
  /** Every entry's path below its directory, each followed by '\0' (which no name holds). */
  rels: string;
  /** 64 hex digits per entry ('' padded: an entry that was not hashed has none). */
  shas: string;
  errors: string[];
}

const FIELDS = 7;
const HASHED = 8;
const EMPTY = -1;
const TYPES = ['file', 'symlink', 'other', 'dir'] as const;
const NO_SHA = '0'.repeat(64);

export function encodeTrees(trees: Array<[number, TreeEntry[]]>): TreeBatch {
  let n = 0;
  for (const [, entries] of trees) n += Math.max(1, entries.length);
  const nums = new Float64Array(n * FIELDS);
  const rels: string[] = [];
  const shas: string[] = [];
  const errors: string[] = [];
  let at = 0;
  for (const [dir, entries] of trees) {
    if (entries.length === 0) {
      // A directory with nothing in it still comes back (one placeholder, no entry).
      nums[at] = dir;
      nums[at + 1] = EMPTY;
      rels.push('');
      shas.push(NO_SHA);
      at += FIELDS;
    }
    for (const e of entries) {
      const o = e.outcome;
      nums[at] = dir;
      nums[at + 1] = TYPES.indexOf(e.type);
      if (o) {
        nums[at + 1] += HASHED;
        nums[at + 2] = o.size;
        nums[at + 3] = o.stat.size;
        nums[at + 4] = o.stat.mtimeMs;
        nums[at + 5] = o.stat.ino;
        nums[at + 6] = o.error ? errors.push(o.error) : 0;
      }
      rels.push(e.rel);
      shas.push(o && !o.error ? o.sha256 : NO_SHA);
      at += FIELDS;
    }
  }
  return { nums, rels: rels.join('\0') + '\0', shas: shas.join(''), errors };
}

/** The walk back, per directory index, in the order sent. */
export function decodeTrees(batch: TreeBatch, onTree: (dir: number, entries: TreeEntry[]) => void): void {
  const { nums, rels, shas, errors } = batch;
  let dir = -1;
  let entries: TreeEntry[] = [];
  let relAt = 0;
  for (let i = 0, at = 0; at < nums.length; i++, at += FIELDS) {
    if (nums[at] !== dir) {
      if (dir >= 0) onTree(dir, entries);
      dir = nums[at]!;
      entries = [];
    }
    const relEnd = rels.indexOf('\0', relAt);
    const typeCode = nums[at + 1]!;
    if (typeCode === EMPTY) {
      relAt = relEnd + 1;
      continue;
    }
    const e: TreeEntry = { rel: rels.slice(relAt, relEnd), type: TYPES[typeCode & (HASHED - 1)]! };
    relAt = relEnd + 1;
    if (typeCode & HASHED) {
      const error = nums[at + 6]!;
      e.outcome = { sha256: error ? '' : shas.slice(i * 64, i * 64 + 64), size: nums[at + 2]!, stat: { size: nums[at + 3]!, mtimeMs: nums[at + 4]!, ino: nums[at + 5]! } };
      if (error) e.outcome.error = errors[error - 1]!;
    }
    entries.push(e);
  }
  if (dir >= 0) onTree(dir, entries);
}
