import type { Dirent } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Regular files below `dir` (relative paths with '/'), in name order; links are not followed.
 * Missing dir: none. A folder that exists but cannot be read (permissions) is handed to
 * `onUnreadable` (its relative path, '' for `dir` itself), so it is reported, not taken for empty.
 */
export async function walkFiles(dir: string, prefix = '', onUnreadable?: (rel: string, err: NodeJS.ErrnoException) => void): Promise<string[]> {
  let entries: Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'ENOTDIR') onUnreadable?.(prefix, err as NodeJS.ErrnoException);
    return [];
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const out: string[] = [];
  for (const e of entries) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...(await walkFiles(join(dir, e.name), rel, onUnreadable)));
    else if (e.isFile()) out.push(rel);
  }
  return out;
}
