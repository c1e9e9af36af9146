import { unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { FsckError } from '../errors.js';
import { createExclusive } from '../fs/createExclusive.js';
import { NotRegularFileError, readRegularFile } from '../fs/openRegularFile.js';
import { fsyncDir } from '../fs/fsyncDir.js';
import { ensureStateDir, STATE_DIR } from './stateDir.js';

export interface LockOwner {
  pid: number;
  host: string;
  started: string;
  command: string;
}

export interface LockOptions {
  command: string;
  /** Take the lock even when another live process holds it. */
  force?: boolean;
}

/**
 * One repair (or undo) at a time per data dir: DIR/.trackio-fsck/lock, created with O_EXCL and
 * holding the owner's pid, host and start time. A lock whose owner died (same host, pid gone) is
 * stale and taken over; one held by a live process, or by another host we cannot ask, is refused
 * unless forced.
 */
export class RepairLock {
  private constructor(
    readonly path: string,
    readonly owner: LockOwner,
    /** The stale or forced-out lock this one replaced, for the user to be told. */
    readonly replaced?: LockOwner,
  ) {}

  static async acquire(realDataDir: string, opts: LockOptions): Promise<RepairLock> {
    const stateDir = await ensureStateDir(realDataDir);
    const path = join(stateDir, 'lock');
    const owner: LockOwner = { pid: process.pid, host: hostname(), started: new Date().toISOString(), command: opts.command };
    let replaced: LockOwner | undefined;
    for (let attempt = 0; attempt < 2; attempt++) {
      if (await create(path, owner)) return new RepairLock(path, owner, replaced);
      const held = await readOwner(path);
      if (!held) continue; // released between our attempts, or unreadable garbage we remove below
      const stale = held.host === owner.host && !pidAlive(held.pid);
      // A live backup is never forced out: the snapshot it is taking would hold a half-repaired state.
      if (!stale && held.command === 'backup') {
        throw new FsckError(`${realDataDir} is being backed up (trackio-fsck backup, pid ${held.pid} on ${held.host}, since ${held.started}): ${opts.command} waits until it is done. Nothing was changed.`);
      }
      if (!stale && !opts.force) {
        throw new FsckError(
          `${realDataDir} is locked by another repair (${held.command}, pid ${held.pid} on ${held.host}, since ${held.started}).\n` +
            `If no repair is running, remove ${path} or run again with --force.`,
        );
      }
      replaced = held;
      await unlink(path).catch(() => {});
    }
    throw new FsckError(`could not take the lock ${path}: another repair started at the same moment`);
  }

  async release(): Promise<void> {
    const held = await readOwner(this.path);
    if (held && held.pid === this.owner.pid && held.started === this.owner.started) {
      await unlink(this.path).catch(() => {});
      await fsyncDir(join(this.path, '..')).catch(() => {});
    }
  }
}

async function create(path: string, owner: LockOwner): Promise<boolean> {
  if (!(await createExclusive(path, JSON.stringify(owner) + '\n'))) return false;
  await fsyncDir(join(path, '..'));
  return true;
}

/** The lock's owner; a lock file that is not ours to parse (empty, torn) counts as a dead owner. */
async function readOwner(path: string): Promise<LockOwner | undefined> {
  let text: string;
  try {
    // openRegularFile: a FIFO planted as the lock cannot hang a repair or a backup; it reads as garbage (a dead owner).
    const bytes = await readRegularFile(path, 1 << 16);
    if (!bytes) return undefined;
    text = bytes.toString('utf8');
  } catch (err) {
    if (!(err instanceof NotRegularFileError)) throw err;
    text = '';
  }
  try {
    const o = JSON.parse(text) as LockOwner;
    if (typeof o.pid === 'number' && typeof o.host === 'string') return o;
  } catch {
    // fall through
  }
  return { pid: -1, host: hostname(), started: 'unknown', command: 'unknown (unreadable lock file)' };
}

export function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Who holds the data dir's repair lock right now (a repair or undo running), if anyone: restore must not move the data from under it. */
export async function liveLockOwner(realDataDir: string): Promise<LockOwner | undefined> {
  const held = await readOwner(join(realDataDir, STATE_DIR, 'lock')).catch(() => undefined);
  if (!held) return undefined;
  return held.host !== hostname() || pidAlive(held.pid) ? held : undefined;
}
