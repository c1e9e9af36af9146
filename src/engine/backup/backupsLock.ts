import { open, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { FsckError } from '../errors.js';

export const LOCK_FILE = '.trackio-fsck-backups.lock';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * One writer at a time in BACKUPS (backup, prune): an O_EXCL lock file holding the owner's pid.
 * A lock whose owner is dead (SIGKILL, power cut) is taken over. Returns the release function.
 */
export async function lockBackups(backupsDir: string): Promise<() => Promise<void>> {
  const path = join(backupsDir, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fh = await open(path, 'wx', 0o644);
      await fh.writeFile(`${process.pid}\n`);
      await fh.close();
      return async () => {
        await unlink(path).catch(() => {});
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const pid = Number((await readFile(path, 'utf8').catch(() => '')).trim());
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) {
        throw new FsckError(`another trackio-fsck (pid ${pid}) is writing ${backupsDir}; wait for it to finish`);
      }
      await unlink(path).catch(() => {});
    }
  }
  throw new FsckError(`cannot lock ${backupsDir} (${path})`);
}
