import type { DirListing } from '../layouts/runDirectory/listRunFiles.js';
import { isSafeRelPath } from '../fs/safePath.js';

/**
 * How the record stores directory listings, as columns (JSON.parse reads them several times faster
 * than one small array per directory). A listing is one string: each name followed by '/', and a
 * directory's name by '//' ("artifacts//config.json/logs//metrics.jsonl/"). Names never hold '/'.
 */
export interface StoredDirs {
  path: string[];
  mtimeMs: number[];
  ino: number[];
  names: string[];
}

export function toStoredDirs(dirs: Array<[string, DirListing]>): StoredDirs {
  const s: StoredDirs = { path: [], mtimeMs: [], ino: [], names: [] };
  for (const [rel, d] of dirs) {
    s.path.push(rel);
    s.mtimeMs.push(d.mtimeMs);
    s.ino.push(d.ino);
    s.names.push(d.names.map((n) => `${n}/`).join(''));
  }
  return s;
}

/**
 * The directory listings of the tool's record, decoded lazily: check --fast asks only for the
 * directories it walks. A listing that does not have the expected shape (a hand-edited record) is
 * not used: that directory is read again.
 */
export class RecordedDirs {
  private index: Map<string, number> | undefined;
  private constructor(private readonly stored: StoredDirs) {}

  static from(stored: unknown): RecordedDirs | undefined {
    if (typeof stored !== 'object' || stored === null) return undefined;
    const s = stored as StoredDirs;
    const n = Array.isArray(s.path) ? s.path.length : -1;
    if (![s.mtimeMs, s.ino, s.names].every((col) => Array.isArray(col) && col.length === n)) return undefined;
    return new RecordedDirs(s);
  }

  get(relDir: string): DirListing | undefined {
    if (!this.index) {
      this.index = new Map();
      for (let i = 0; i < this.stored.path.length; i++) this.index.set(this.stored.path[i]!, i);
    }
    const i = this.index.get(relDir);
    if (i === undefined) return undefined;
    const mtimeMs = this.stored.mtimeMs[i];
    const ino = this.stored.ino[i];
    const names = decodeNames(this.stored.names[i]);
    if (typeof mtimeMs !== 'number' || typeof ino !== 'number' || !names) return undefined;
    return { mtimeMs, ino, names };
  }

  /** Every stored listing (for carrying those of runs a partial `manifest write --run` did not walk). */
  *entries(): Generator<[string, DirListing]> {
    for (const rel of this.stored.path) {
      if (typeof rel !== 'string' || !isSafeRelPath(rel)) continue;
      const listing = this.get(rel);
      if (listing) yield [rel, listing];
    }
  }
}

/** "a//b/c/" -> ["a/", "b", "c"]; undefined for anything else than that encoding ('.', '..', a stray '/'). */
function decodeNames(s: unknown): string[] | undefined {
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
