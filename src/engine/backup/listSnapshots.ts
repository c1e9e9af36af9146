import { requireBackupsDir, resolveBackupsDir } from './resolveBackupsDir.js';
import { TOOL, VERSION } from '../version.js';
import { findSnapshots, treeSize, type SnapshotStatus } from './findSnapshots.js';

export interface SnapshotListing {
  name: string;
  path: string;
  /** From the name, UTC, ISO 8601; null for a leftover without one. */
  time: string | null;
  state: SnapshotStatus;
  files: number;
  /** Apparent size: the sum of its files' sizes. */
  bytes: number;
  /** Disk blocks it adds, oldest first, each hard-linked inode counted once (as `du -s A B C`). */
  diskBytes: number;
  createdAt: string | null;
  verifiedAt: string | null;
  source: string | null;
  linkedFrom: string | null;
}

export interface BackupsListing {
  tool: string;
  version: string;
  command: 'backups list';
  backupsDir: string;
  snapshots: SnapshotListing[];
  total: { bytes: number; diskBytes: number };
}

/** Every snapshot and leftover in BACKUPS, oldest first, with its sizes and state. */
export async function listSnapshots(dest?: string, cwd = process.cwd(), env?: NodeJS.ProcessEnv): Promise<BackupsListing> {
  const backupsDir = requireBackupsDir(resolveBackupsDir({ dest, cwd, env }));
  const seen = new Set<string>();
  const snapshots: SnapshotListing[] = [];
  for (const s of await findSnapshots(backupsDir)) {
    const size = await treeSize(s.path, seen);
    snapshots.push({
      name: s.name,
      path: s.path,
      time: s.time?.toISOString() ?? null,
      state: s.state,
      files: s.meta?.files ?? size.files,
      bytes: size.bytes,
      diskBytes: size.diskBytes,
      createdAt: s.meta?.createdAt ?? null,
      verifiedAt: s.meta?.verifiedAt ?? null,
      source: s.meta?.source ?? null,
      linkedFrom: s.meta?.linkedFrom ?? null,
    });
  }
  const total = snapshots.reduce((t, s) => ({ bytes: t.bytes + s.bytes, diskBytes: t.diskBytes + s.diskBytes }), { bytes: 0, diskBytes: 0 });
  return { tool: TOOL, version: VERSION, command: 'backups list', backupsDir, snapshots, total };
}
