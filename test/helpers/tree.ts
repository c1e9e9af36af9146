import { createHash } from 'node:crypto';
import { lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';

export interface TreeEntry {
  type: 'file' | 'dir' | 'symlink';
  sha256?: string;
  size?: number;
  target?: string;
  mode: number;
  mtimeMs?: number;
}

/** Every entry under `root` (symlinks not followed): what a byte-identical copy must reproduce. */
export function readTree(root: string, skip: (rel: string) => boolean = () => false): Map<string, TreeEntry> {
  const out = new Map<string, TreeEntry>();
  const walk = (rel: string) => {
    for (const name of readdirSync(join(root, rel)).sort()) {
      const r = rel ? `${rel}/${name}` : name;
      if (skip(r)) continue;
      const abs = join(root, r);
      const st = lstatSync(abs);
      if (st.isSymbolicLink()) out.set(r, { type: 'symlink', target: readlinkSync(abs), mode: 0 });
      else if (st.isDirectory()) {
        out.set(r, { type: 'dir', mode: st.mode & 0o7777 });
        walk(r);
      } else {
        const buf = readFileSync(abs);
        out.set(r, { type: 'file', sha256: createHash('sha256').update(buf).digest('hex'), size: buf.length, mode: st.mode & 0o7777, mtimeMs: st.mtimeMs });
      }
    }
  };
  walk('');
  return out;
}

/**
 * The same entries, bytes, link targets and modes; mtimes equal to the microsecond (Node sets
 * times through a double of seconds, so the last nanoseconds of a copy's mtime may differ).
 */
export function sameTree(actual: Map<string, TreeEntry>, expected: Map<string, TreeEntry>): { entries: Map<string, TreeEntry>; mtimeDrift: number } {
  let drift = 0;
  const strip = (tree: Map<string, TreeEntry>) => new Map([...tree].map(([p, e]) => [p, { ...e, mtimeMs: undefined }]));
  for (const [p, e] of actual) {
    const want = expected.get(p);
    if (e.mtimeMs !== undefined && want?.mtimeMs !== undefined) drift = Math.max(drift, Math.abs(e.mtimeMs - want.mtimeMs));
  }
  expect(strip(actual)).toEqual(strip(expected));
  return { entries: actual, mtimeDrift: drift };
}
