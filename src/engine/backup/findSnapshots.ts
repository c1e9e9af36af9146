import type { Dirent } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { readSnapshotMeta, type SnapshotMeta } from './SnapshotMeta.js';
import { walkTree } from '../fs/walkTree.js';
import { INCOMPLETE_PREFIX, snapshotTime } from './snapshotLayout.js';

/**
 * incomplete: the leftover of an interrupted backup or prune (never a usable snapshot).
 * unknown: named like a snapshot but without trackio-fsck's record (a `cp -r` backup, say);
 * listed, never verified against anything, never pruned.
 */
export type SnapshotStatus = SnapshotMeta['state'] | 'incomplete' | 'unknown';

export interface SnapshotInfo {
  name: string;
  path: string;
  /** From the name (UTC); null for a leftover whose name carries none. */
  time: Date | null;
  state: SnapshotStatus;
  meta?: SnapshotMeta;
}

const LEFTOVER = new RegExp(`^${INCOMPLETE_PREFIX.replace('.', '\\.')}(trackio_backup_\\d{8}_\\d{6})-(?:\\d+|deleting)$`);

/** The snapshots and leftovers in BACKUPS, oldest first. Reads only each snapshot's small record. */
export async function findSnapshots(backupsDir: string): Promise<SnapshotInfo[]> {
  let entries: Dirent[];
  try {
    entries = await readdir(backupsDir, { withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const out: SnapshotInfo[] = [];
  for (const e of entries) {
    if (!e.isDirectory()) continue;
    const path = join(backupsDir, e.name);
    if (e.name.startsWith(INCOMPLETE_PREFIX)) {
      // Only the exact names backup (<name>-<pid>) and prune (<name>-deleting) give their leftovers:
      // prune deletes these, so a user's own folder that merely starts with the prefix is not one.
      const m = LEFTOVER.exec(e.name);
      if (m) out.push({ name: e.name, path, time: snapshotTime(m[1]!) ?? null, state: 'incomplete' });
      continue;
    }
    const time = snapshotTime(e.name);
    if (!time) continue;
    const meta = await readSnapshotMeta(path);
    out.push({ name: e.name, path, time, state: meta?.state ?? 'unknown', meta });
  }
  out.sort((a, b) => (a.time?.getTime() ?? 0) - (b.time?.getTime() ?? 0) || (a.name < b.name ? -1 : 1));
  return out;
}

/** Known good: every byte proven by hash at creation or by the last verify. */
export function isGood(s: SnapshotInfo): boolean {
  return s.state === 'complete' || s.state === 'verified';
}

/** The newest known-good snapshot (what a new backup hard-links against). */
export function newestGood(snapshots: SnapshotInfo[]): SnapshotInfo | undefined {
  return [...snapshots].reverse().find(isGood);
}

export interface TreeSize {
  files: number;
  /** Sum of file sizes (what `du --apparent-size` says). */
  bytes: number;
  /** Blocks on disk of inodes not already counted in `seen` (what `du -s A B C` says for each). */
  diskBytes: number;
}

/**
 * Sizes a tree without following symlinks. Pass one `seen` set across several trees, oldest first,
 * to count each hard-linked inode once, where it first appears.
 */
export async function treeSize(root: string, seen: Set<string> = new Set()): Promise<TreeSize> {
  const size: TreeSize = { files: 0, bytes: 0, diskBytes: 0 };
  // walkTree: lstat only, names exact (a name that is not UTF-8 is counted too).
  for (const e of walkTree(root)) {
    const key = `${e.stat.dev}:${e.stat.ino}`;
    if (!seen.has(key)) {
      seen.add(key);
      size.diskBytes += e.stat.blocks * 512;
    }
    if (e.kind === 'file') {
      size.files++;
      size.bytes += e.stat.size;
    }
  }
  return size;
}
