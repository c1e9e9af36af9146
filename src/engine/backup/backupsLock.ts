import { unlink } from 'node:fs/promises';
import { readRegularFile } from '../fs/openRegularFile.js';
import { join } from 'node:path';
import { FsckError } from '../errors.js';
import { createExclusive } from '../fs/createExclusive.js';

export const LOCK_FILE = '.trackio-fsck-backups.lock';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Locks this process holds: another call in the same process finds its own pid in the file, which is not a dead owner's. */
const heldHere = new Set<string>();

/**
 * One writer at a time in BACKUPS (backup, prune): a lock file holding the owner's pid, created
 * whole (createExclusive). A lock whose owner is dead (SIGKILL, power cut) is taken over; one with
 * this process's pid that this process does not hold is a dead owner's whose pid was reused.
 * Returns the release function.
 */
export async function lockBackups(backupsDir: string): Promise<() => Promise<void>> {
  const path = join(backupsDir, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    if (!heldHere.has(path) && (await createExclusive(path, `${process.pid}\n`))) {
      heldHere.add(path);
      return async () => {
        heldHere.delete(path);
        await unlink(path).catch(() => {});
      };
    }
    // openRegularFile: a FIFO in the lock's place cannot hang a backup; it reads as no owner.
    const pid = Number(((await readRegularFile(path, 1 << 16).catch(() => undefined))?.toString('utf8') ?? '').trim());
    if (heldHere.has(path) || (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid))) {
      throw new FsckError(`another trackio-fsck (pid ${heldHere.has(path) ? process.pid : pid}) is writing ${backupsDir}; wait for it to finish`);
    }
    await unlink(path).catch(() => {});
  }
  throw new FsckError(`cannot lock ${backupsDir} (${path})`);
}
