import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../fs/writeFileAtomic.js';
import { META_FILE } from './snapshotLayout.js';

/**
 * complete: built, every copy read back and matched (verified at creation).
 * verified: a later `backups verify` re-hashed every file and found them all intact.
 * damaged:  the last `backups verify` found a file missing or modified.
 */
export type SnapshotState = 'complete' | 'verified' | 'damaged';

export interface SnapshotMeta {
  tool: string;
  version: string;
  format: 1;
  /** Absolute path of the data dir that was backed up. */
  source: string;
  createdAt: string;
  /** When the snapshot name was taken from (the start of the backup). */
  startedAt: string;
  state: SnapshotState;
  /** Last time every byte was proven by hash (creation, or backups verify). */
  verifiedAt: string;
  files: number;
  bytes: number;
  /** Files hard-linked from the previous snapshot, and their bytes. */
  linked: number;
  linkedBytes: number;
  symlinks: number;
  /** The snapshot hard links were taken from. */
  linkedFrom: string | null;
  /** Problems found by the last verify (0 after creation). */
  problems: number;
}

export async function readSnapshotMeta(snapshotDir: string): Promise<SnapshotMeta | undefined> {
  try {
    const meta = JSON.parse(await readFile(join(snapshotDir, META_FILE), 'utf8')) as SnapshotMeta;
    return meta && typeof meta === 'object' && meta.format === 1 ? meta : undefined;
  } catch {
    return undefined;
  }
}

/** Atomic: a crash leaves the old record or the new one. */
export async function writeSnapshotMeta(snapshotDir: string, meta: SnapshotMeta): Promise<void> {
  await writeFileAtomic(join(snapshotDir, META_FILE), JSON.stringify(meta, null, 2) + '\n');
}
