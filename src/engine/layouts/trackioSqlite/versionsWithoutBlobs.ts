import { lstat } from 'node:fs/promises';
import { join } from 'node:path';
import type { SqliteDatabase } from './loadSqlite.js';

const SHA256 = /^[0-9a-f]{64}$/;

/**
 * Of B's artifact versions a merge brings (their row ids in `db`, B's database), how many list a
 * blob that neither copy holds under artifacts/<project>/blobs/sha256/: the row still comes in (it
 * is B's record of the version, and the blob may be restored later from elsewhere), and the plan
 * says so; `check` then reports each missing blob. Entries with a `ref` are external: no blob.
 */
export async function versionsWithoutBlobs(db: SqliteDatabase, ids: readonly number[], project: string, dirs: string[]): Promise<number> {
  // A copy from before 0.24 has no registry tables: nothing to look up, and nothing to prepare.
  if (ids.length === 0) return 0;
  const manifestOf = db.prepare('SELECT manifest FROM artifact_versions WHERE rowid = ?').pluck();
  const exists = new Map<string, boolean>();
  let missing = 0;
  for (const id of ids) {
    let entries: unknown;
    try {
      const cell = manifestOf.get(id);
      entries = JSON.parse(Buffer.isBuffer(cell) ? cell.toString('utf8') : String(cell));
    } catch {
      continue; // an unreadable manifest is check's to report, not the merge's
    }
    if (!Array.isArray(entries)) continue;
    for (const e of entries as Array<Record<string, unknown>>) {
      if (!e || typeof e !== 'object' || 'ref' in e || typeof e.digest !== 'string' || !SHA256.test(e.digest)) continue;
      const rel = join('artifacts', project, 'blobs', 'sha256', e.digest.slice(0, 2), e.digest);
      if (!exists.has(rel)) exists.set(rel, (await Promise.all(dirs.map((d) => lstat(join(d, rel)).then(() => true, () => false)))).some(Boolean));
      if (!exists.get(rel)) {
        missing += 1;
        break;
      }
    }
  }
  return missing;
}
