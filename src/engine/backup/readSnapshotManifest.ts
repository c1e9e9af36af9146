import { readFile } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { parseSha256sumLine, type Sha256sumEntry } from '../manifest/sha256sumLine.js';
import { MANIFEST_FILE } from './snapshotLayout.js';

export interface SnapshotManifest {
  entries: Sha256sumEntry[];
  /** 1-based numbers of lines that are not sha256sum lines or name a path outside the snapshot. */
  badLines: number[];
}

/** A path a manifest may name: relative, no '..', no empty segment. Anything else is never opened. */
export function isSafeRelPath(p: string): boolean {
  if (p === '' || isAbsolute(p) || p.includes('\0')) return false;
  return p.split('/').every((seg) => seg !== '' && seg !== '.' && seg !== '..');
}

/** Reads SNAPSHOT/manifest-sha256.txt; undefined when there is none. */
export async function readSnapshotManifest(snapshotDir: string): Promise<SnapshotManifest | undefined> {
  let text: string;
  try {
    text = await readFile(join(snapshotDir, MANIFEST_FILE), 'utf8');
  } catch {
    return undefined;
  }
  const entries: Sha256sumEntry[] = [];
  const badLines: number[] = [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  lines.forEach((line, i) => {
    const entry = parseSha256sumLine(line);
    if (entry && isSafeRelPath(entry.path)) entries.push(entry);
    else badLines.push(i + 1);
  });
  return { entries, badLines };
}
