import { sha256File } from '../../fs/sha256File.js';
import { backupDatabase } from './backupDatabase.js';

/** How a backup treats a file of a Trackio data dir. */
export type SnapshotRole = 'database' | 'leave-out' | 'file';

const SIDECAR = /^(.+\.db)-(wal|shm|journal)$/;
const LOCK = /^(.+)\.lock$/;

/**
 * Which files of a trackio-sqlite data dir a snapshot copies how. A top-level `<project>.db` goes
 * through SQLite's backup API (backupDatabase): the copy is one self-contained file with whatever
 * the -wal held, so the database's -wal, -shm and -journal are left out, as is `<project>.lock`
 * (an empty file Trackio creates again; only a held lock means anything). A sidecar or lock
 * without its database is copied as a file like everything else (media/, artifacts/, inbox/).
 */
export function snapshotRoles(rels: readonly string[]): Map<string, SnapshotRole> {
  const top = new Set(rels.filter((r) => !r.includes('/')));
  const roles = new Map<string, SnapshotRole>();
  for (const rel of rels) {
    if (rel.includes('/')) roles.set(rel, 'file');
    else if (rel.endsWith('.db')) roles.set(rel, 'database');
    else {
      const side = SIDECAR.exec(rel)?.[1] ?? (LOCK.test(rel) ? rel.replace(LOCK, '$1.db') : undefined);
      roles.set(rel, side !== undefined && top.has(side) ? 'leave-out' : 'file');
    }
  }
  return roles;
}

/**
 * Copies one project database into a snapshot being built: the online backup API (consistent while
 * a writer is live), PRAGMA integrity_check on the copy (a failing copy throws and is removed, so
 * the snapshot never counts as complete with it), then the copy's SHA-256 for the manifest, taken
 * from the snapshot file itself: `sha256sum -c` in the snapshot checks these bytes.
 */
export async function copyDatabaseInto(src: string, dst: string): Promise<{ sha256: string; size: number }> {
  await backupDatabase(src, dst);
  return sha256File(dst);
}
