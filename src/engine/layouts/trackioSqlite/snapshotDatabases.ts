import { sha256File } from '../../fs/sha256File.js';
import { backupDatabase } from './backupDatabase.js';

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
