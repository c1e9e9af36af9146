import { readRegularFile } from '../fs/openRegularFile.js';
import { join } from 'node:path';
import { writeFileAtomic } from '../fs/writeFileAtomic.js';
import { META_FILE } from './snapshotLayout.js';

/**
 * complete: built, every copy read back and matched (verified at creation).
 * verified: a later `backups verify` re-hashed every file and found them all intact.
 * damaged:  the last `backups verify` found a file missing or modified.
 * partial:  every file it holds was verified, but some files of the data dir could not be read
 *           and are not in it (`lacks`); restore says what it lacks.
 */
export type SnapshotState = 'complete' | 'verified' | 'damaged' | 'partial';

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
  /** Problems found by the last verify (after creation: the number of paths it lacks). */
  problems: number;
  /** Paths of the data dir (files, folders) the backup could not read: not in the snapshot (at most 1000 listed). */
  lacks?: string[];
  /** How many such paths there were. */
  lacking?: number;
}

export async function readSnapshotMeta(snapshotDir: string): Promise<SnapshotMeta | undefined> {
  try {
    const bytes = await readRegularFile(join(snapshotDir, META_FILE), 1 << 24);
    if (!bytes) return undefined;
    const meta = JSON.parse(bytes.toString('utf8')) as SnapshotMeta;
    return meta && typeof meta === 'object' && meta.format === 1 ? meta : undefined;
  } catch {
    return undefined;
  }
}

export function snapshotMetaText(meta: SnapshotMeta): string {
  return JSON.stringify(meta, null, 2) + '\n';
}

/** Atomic: a crash leaves the old record or the new one. */
export async function writeSnapshotMeta(snapshotDir: string, meta: SnapshotMeta): Promise<void> {
  await writeFileAtomic(join(snapshotDir, META_FILE), snapshotMetaText(meta));
}
