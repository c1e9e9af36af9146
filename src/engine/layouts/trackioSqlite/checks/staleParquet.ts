import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Finding } from '../../../finding.js';
import { makeFinding } from '../../../makeFinding.js';

/** Dataset mode's sidecars: <project>.parquet and <project>_<table>.parquet. */
const SUFFIXES = ['', '_system', '_configs', '_traces', '_artifacts', '_artifact_versions', '_artifact_aliases', '_run_artifact_links'];

/**
 * Parquet sidecars older than their database. Trackio rewrites them (in place) only when the
 * database is newer, and leaves an emptied table's old file: one older than its database holds rows
 * the database may no longer have, and an import would bring them back. Whether it actually holds
 * such rows would need a parquet reader; the age is what check can see without one.
 */
export async function checkStaleParquet(dataDir: string, projects: readonly string[], emit: (f: Finding) => void): Promise<void> {
  const names = new Set(await readdir(dataDir));
  for (const project of projects) {
    const db = await stat(join(dataDir, `${project}.db`)).catch(() => undefined);
    if (!db) continue;
    // A -wal holds the newest writes: the database's data is as new as its newest file.
    const wal = await stat(join(dataDir, `${project}.db-wal`)).catch(() => undefined);
    const dbTime = Math.max(db.mtimeMs, wal?.mtimeMs ?? 0);
    for (const suffix of SUFFIXES) {
      const name = `${project}${suffix}.parquet`;
      if (!names.has(name)) continue;
      const st = await stat(join(dataDir, name)).catch(() => undefined);
      if (!st?.isFile() || st.mtimeMs >= dbTime) continue;
      const behind = age(dbTime - st.mtimeMs);
      emit(
        makeFinding(
          'trackio/stale-parquet',
          { run: null, path: name },
          `${name} is ${behind} older than ${project}.db: it may hold rows the database no longer has (an emptied table keeps its old parquet), which Trackio's import would bring back`,
          { action: 'quarantine-file', safe: false },
        ),
      );
    }
  }
}

function age(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s >= 2 * 86400) return `${Math.round(s / 86400)} days`;
  if (s >= 2 * 3600) return `${Math.round(s / 3600)} hours`;
  if (s >= 120) return `${Math.round(s / 60)} minutes`;
  return `${s} s`;
}
