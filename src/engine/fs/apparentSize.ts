import type { Dirent } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';

/** Sum of the sizes of the regular files at or under `path` (as `du --apparent-size -sb`), symlinks not followed, `skip` left out. */
export async function apparentSize(path: string, skip?: string): Promise<number> {
  if (path === skip) return 0;
  const st = await lstat(path).catch(() => undefined);
  if (!st) return 0;
  if (st.isFile()) return st.size;
  if (!st.isDirectory()) return 0;
  let entries: Dirent[];
  try {
    entries = await readdir(path, { withFileTypes: true });
  } catch {
    return 0;
  }
  let n = 0;
  for (const e of entries) n += await apparentSize(join(path, e.name), skip);
  return n;
}
