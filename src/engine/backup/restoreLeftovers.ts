import { readdirSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { fsyncDir } from '../fs/fsyncDir.js';
import { pidAlive } from '../repair/RepairLock.js';

/** Restore stages a snapshot at .<DIR>.trackio-fsck-restoring-<pid>, renamed to ...-<pid>.ready once whole and durable. */
export const RESTORING_INFIX = '.trackio-fsck-restoring-';
export const READY_SUFFIX = '.ready';

export function stagingName(dataDir: string, pid: number): string {
  return join(dirname(dataDir), `.${basename(dataDir)}${RESTORING_INFIX}${pid}`);
}

export interface RestoreLeftover {
  path: string;
  /** finish: a whole copy whose swap was cut short (the data dir is gone): renamed into place. remove: an unfinished copy, or one whose swap never began. */
  action: 'finish' | 'remove';
  message: string;
}

/**
 * Leftovers of restores that were killed (their pid is gone), beside `dataDir`. A staging folder
 * without `.ready` was still being copied: the data dir was never touched, so it is removed. A
 * `.ready` one was whole; if the data dir is gone, the kill fell between moving the old data aside
 * and moving the copy in, so the restore is finished; otherwise the swap never began and it is removed.
 */
export function findRestoreLeftovers(dataDir: string, exists: boolean): RestoreLeftover[] {
  const prefix = `.${basename(dataDir)}${RESTORING_INFIX}`;
  let names: string[];
  try {
    names = readdirSync(dirname(dataDir));
  } catch {
    return [];
  }
  const out: RestoreLeftover[] = [];
  for (const name of names.sort()) {
    if (!name.startsWith(prefix)) continue;
    const m = /^(\d+)(\.ready)?$/.exec(name.slice(prefix.length));
    if (!m || (Number(m[1]) !== process.pid && pidAlive(Number(m[1])))) continue;
    const path = join(dirname(dataDir), name);
    if (m[2] && !exists && !out.some((o) => o.action === 'finish')) {
      out.push({ path, action: 'finish', message: `${name}: a whole, verified copy from a restore killed mid-swap (the data dir was already moved aside): moved into place as ${dataDir}` });
    } else {
      out.push({ path, action: 'remove', message: `${name}: ${m[2] ? 'a copy from a restore killed before it touched the data dir' : 'the unfinished copy of an interrupted restore'}: removed (the data dir was not changed by it)` });
    }
  }
  return out;
}

/** Finishes or removes what findRestoreLeftovers found. */
export async function settleRestoreLeftovers(dataDir: string, leftovers: RestoreLeftover[]): Promise<void> {
  for (const l of leftovers) {
    if (l.action === 'finish') await rename(l.path, dataDir);
    else await rm(l.path, { recursive: true, force: true });
  }
  if (leftovers.length > 0) await fsyncDir(dirname(dataDir));
}
