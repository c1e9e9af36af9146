import { lstat } from 'node:fs/promises';
import { join } from 'node:path';

/** Why a path of the data dir cannot be repaired in place (a link on the way, not a regular file), or undefined when it can. */
export async function notPlainFile(realDataDir: string, rel: string): Promise<string | undefined> {
  let dir = realDataDir;
  for (const part of rel.split('/')) {
    dir = join(dir, part);
    const st = await lstat(dir).catch(() => undefined);
    if (!st) return 'it is gone';
    if (st.isSymbolicLink()) return `${dir} is a symbolic link: repair never writes through one`;
  }
  const st = await lstat(dir);
  return st.isFile() ? undefined : 'not a regular file';
}
