import type { DirListing } from '../layouts/runDirectory/listRunFiles.js';
import { isSafeRelPath } from '../fs/safePath.js';
import { PathIndex } from './PathIndex.js';

/**
 * How format 2 of the record stored directory listings, as columns (format 3 has a row per
 * listing: recordRows). A listing is one string: each name followed by '/', and a directory's
 * name by '//' ("artifacts//config.json/logs//metrics.jsonl/"). Names never hold '/'.
 */
export interface StoredDirs {
  path: string[];
  mtimeMs: number[];
  ino: number[];
  names: string[];
}

/**
 * The directory listings of the tool's record, decoded lazily: check --fast asks only for the
 * directories it walks. Paths are kept in a PathIndex (off the heap), each listing's names as one
 * string shared by every directory listed the same. A listing that does not have the expected
 * shape (a hand-edited record) is not used: that directory is read again.
 */
export class RecordedDirs {
  private readonly index = new PathIndex();
  private readonly mtimeMs: number[] = [];
  private readonly ino: number[] = [];
  private readonly names: string[] = [];
  private readonly shared = new Map<string, string>();

  /** From format 2's columns; undefined when they are not columns of one length. */
  static from(stored: unknown): RecordedDirs | undefined {
    if (typeof stored !== 'object' || stored === null) return undefined;
    const s = stored as StoredDirs;
    const n = Array.isArray(s.path) ? s.path.length : -1;
    if (![s.mtimeMs, s.ino, s.names].every((col) => Array.isArray(col) && col.length === n)) return undefined;
    const dirs = new RecordedDirs();
    for (let i = 0; i < n; i++) dirs.add(s.path[i], s.mtimeMs[i], s.ino[i], s.names[i]);
    return dirs;
  }

  /** Adds one stored listing (a later one for the same path wins); one of the wrong shape is left out. */
  add(path: unknown, mtimeMs: unknown, ino: unknown, names: unknown): void {
    if (typeof path !== 'string' || typeof mtimeMs !== 'number' || typeof ino !== 'number' || typeof names !== 'string') return;
    let i = this.index.get(path);
    if (i === -1) i = this.index.add(path);
    let n = this.shared.get(names);
    if (n === undefined) this.shared.set(names, (n = names));
    this.mtimeMs[i] = mtimeMs;
    this.ino[i] = ino;
    this.names[i] = n;
  }

  get size(): number {
    return this.index.count;
  }

  get(relDir: string): DirListing | undefined {
    const i = this.index.get(relDir);
    if (i === -1) return undefined;
    const names = decodeNames(this.names[i]);
    if (!names) return undefined;
    return { mtimeMs: this.mtimeMs[i]!, ino: this.ino[i]!, names };
  }

  /** Every stored listing (for carrying those of runs a partial `manifest write --run` did not walk). */
  *entries(): Generator<[string, DirListing]> {
    for (let i = 0; i < this.index.count; i++) {
      const rel = this.index.pathOf(i);
      if (!isSafeRelPath(rel)) continue;
      const listing = this.get(rel);
      if (listing) yield [rel, listing];
    }
  }
}

/** "a//b/c/" -> ["a/", "b", "c"]; undefined for anything else than that encoding ('.', '..', a stray '/'). */
export function decodeNames(s: unknown): string[] | undefined {
  if (typeof s !== 'string') return undefined;
  if (s === '') return [];
  if (!s.endsWith('/')) return undefined;
  const parts = s.slice(0, -1).split('/');
  const names: string[] = [];
  for (const p of parts) {
    if (p === '') {
      const last = names.length - 1;
      if (last < 0 || names[last]!.endsWith('/')) return undefined;
      names[last] += '/';
    } else if (p === '.' || p === '..' || p.includes('\0')) {
      return undefined;
    } else {
      names.push(p);
    }
  }
  return names;
}
