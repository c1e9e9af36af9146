import { lstat, readdir, unlink } from 'node:fs/promises';
import { COPY_TEMP_INFIX, TEMP_PREFIX } from '../fs/ownNames.js';
import { basename, dirname, join } from 'node:path';
import { fsyncDir } from '../fs/fsyncDir.js';
import { CHUNK_BYTES } from '../fs/readFileOnce.js';
import { createHash } from 'node:crypto';
import type { FileImage } from './RepairPlan.js';
import { READ_NOFOLLOW } from '../fs/safePath.js';
import { open } from 'node:fs/promises';

/** The content of a file as it is now, or undefined when there is none. Never follows a link. */
export async function imageOf(abs: string): Promise<FileImage | undefined> {
  return imageOfPrefix(abs, Number.POSITIVE_INFINITY);
}

/** The image of the first `limit` bytes of a file (all of it when shorter), or undefined when there is none. */
export async function imageOfPrefix(abs: string, limit: number): Promise<FileImage | undefined> {
  const st = await lstat(abs).catch(() => undefined);
  if (!st || !st.isFile()) return undefined;
  const fh = await open(abs, READ_NOFOLLOW);
  try {
    const hash = createHash('sha256');
    const buf = Buffer.allocUnsafe(CHUNK_BYTES);
    let size = 0;
    while (size < limit) {
      const { bytesRead } = await fh.read(buf, 0, Math.min(buf.length, limit - size), null);
      if (bytesRead === 0) break;
      hash.update(buf.subarray(0, bytesRead));
      size += bytesRead;
    }
    return { sha256: hash.digest('hex'), size };
  } finally {
    await fh.close();
  }
}

export function sameImage(a: FileImage | undefined | null, b: FileImage | undefined | null): boolean {
  return !!a && !!b && a.sha256 === b.sha256 && a.size === b.size;
}

/** Removes a file if present and makes the removal durable. */
export async function removeFile(abs: string): Promise<boolean> {
  try {
    await unlink(abs);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
  await fsyncDir(dirname(abs));
  return true;
}

/** Removes the leftovers of copies a killed process was making next to `abs` (copyFileVerified's temp names). */
export async function removeCopyTemps(abs: string): Promise<void> {
  const dir = dirname(abs);
  const prefix = `${basename(abs)}${COPY_TEMP_INFIX}`;
  const names = await readdir(dir).catch(() => [] as string[]);
  for (const name of names) if (name.startsWith(prefix)) await removeFile(join(dir, name));
}

/** Removes trackio-fsck's own temp files (writeFileAtomic's names) from a folder only trackio-fsck writes to. */
export async function removeOwnTemps(dir: string): Promise<void> {
  const names = await readdir(dir).catch(() => [] as string[]);
  for (const name of names) if (name.startsWith(TEMP_PREFIX)) await removeFile(join(dir, name));
}

/** Every directory below `root` (deepest first), for removing the empty ones. */
export async function dirsBelow(root: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string) => {
    const entries = await readdir(d, { withFileTypes: true }).catch(() => []);
    for (const e of entries) if (e.isDirectory()) await walk(join(d, e.name));
    out.push(d);
  };
  await walk(root);
  return out;
}
