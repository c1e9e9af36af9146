import { lstat } from 'node:fs/promises';
import { join } from 'node:path';
import { readFileOnce } from '../fs/readFileOnce.js';
import { walkFiles } from '../layouts/trackioSqlite/walkFiles.js';
import type { CompareError, FileDiff, FileEntry } from './CompareResult.js';
import { compareCodePoints } from './compareCodePoints.js';

export interface FileTreeOptions {
  /** Relative paths (below the roots) left out: files compared elsewhere. */
  skip?: (rel: string) => boolean;
  /** Differences listed by path; the rest are only counted. */
  maxListed?: number;
  errors: CompareError[];
}

export function emptyFileDiff(): FileDiff {
  return { same: 0, onlyInA: 0, onlyInB: 0, differ: 0, listed: [] };
}

/**
 * Media, artifact blobs, run files: the regular files below `rootA` and `rootB` (links are never
 * followed) matched by relative path, then compared by size and, where the sizes agree, SHA-256,
 * each file read once in fixed chunks. `prefix` is prepended to the paths listed.
 */
export async function compareFileTrees(rootA: string, rootB: string, prefix: string, options: FileTreeOptions): Promise<FileDiff> {
  const maxListed = options.maxListed ?? 20;
  const diff = emptyFileDiff();
  const keep = (rel: string) => !options.skip?.(rel);
  const [listA, listB] = await Promise.all([walkFiles(rootA), walkFiles(rootB)]);
  const a = listA.filter(keep).sort(compareCodePoints);
  const b = listB.filter(keep).sort(compareCodePoints);
  const list = (entry: FileEntry) => {
    if (diff.listed.length < maxListed) diff.listed.push(entry);
  };
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const c = i >= a.length ? 1 : j >= b.length ? -1 : compareCodePoints(a[i]!, b[j]!);
    if (c < 0) {
      const rel = a[i++]!;
      diff.onlyInA++;
      list({ path: `${prefix}${rel}`, a: { size: await sizeOf(join(rootA, rel)) } });
    } else if (c > 0) {
      const rel = b[j++]!;
      diff.onlyInB++;
      list({ path: `${prefix}${rel}`, b: { size: await sizeOf(join(rootB, rel)) } });
    } else {
      const rel = a[i++]!;
      j++;
      const entry = await compareFile(join(rootA, rel), join(rootB, rel), `${prefix}${rel}`, options.errors);
      if (!entry) diff.same++;
      else {
        diff.differ++;
        list(entry);
      }
    }
  }
  return diff;
}

/** undefined when both files hold the same bytes; else what differs. */
async function compareFile(pathA: string, pathB: string, rel: string, errors: CompareError[]): Promise<FileEntry | undefined> {
  const [sa, sb] = await Promise.all([sizeOf(pathA), sizeOf(pathB)]);
  if (sa !== sb) return { path: rel, a: { size: sa }, b: { size: sb } };
  let ha: string;
  let hb: string;
  try {
    ha = (await readFileOnce(pathA)).sha256;
  } catch (err) {
    errors.push({ side: 'a', path: rel, message: (err as Error).message });
    return undefined;
  }
  try {
    hb = (await readFileOnce(pathB)).sha256;
  } catch (err) {
    errors.push({ side: 'b', path: rel, message: (err as Error).message });
    return undefined;
  }
  return ha === hb ? undefined : { path: rel, a: { size: sa, sha256: ha }, b: { size: sb, sha256: hb } };
}

async function sizeOf(path: string): Promise<number> {
  return (await lstat(path).catch(() => undefined))?.size ?? 0;
}
