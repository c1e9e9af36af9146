/**
 * What a snapshot directory holds, besides a copy of the data dir:
 *   manifest-sha256.txt                       every file of the snapshot (coreutils sha256sum format)
 *   .trackio-fsck-snapshot.json               SnapshotMeta: source, time, counts, state
 *   .trackio-fsck-snapshot-index.jsonl        one line per file, dir and symlink (stat facts for --link-dest)
 *   .trackio-fsck-source-manifest-sha256.txt  the data dir's own manifest-sha256.txt, when it had one
 * The data dir's own manifest is stored under another name because the snapshot's manifest takes
 * its place at the root; restore puts it back, so a restore is byte-identical.
 */
export const MANIFEST_FILE = 'manifest-sha256.txt';
export const META_FILE = '.trackio-fsck-snapshot.json';
export const INDEX_FILE = '.trackio-fsck-snapshot-index.jsonl';
export const SOURCE_MANIFEST_FILE = '.trackio-fsck-source-manifest-sha256.txt';

/** Files of the snapshot that are not data (never listed in its manifest, never restored). */
export const SNAPSHOT_OWN_FILES: ReadonlySet<string> = new Set([MANIFEST_FILE, META_FILE, INDEX_FILE]);

export const SNAPSHOT_PREFIX = 'trackio_backup_';
/** A snapshot under construction, or being deleted: never looks complete. */
export const INCOMPLETE_PREFIX = '.incomplete-';
export const DEFAULT_BACKUPS_DIR = 'trackio_backups';

const NAME = /^trackio_backup_(\d{4})(\d{2})(\d{2})_(\d{2})(\d{2})(\d{2})$/;

/** trackio_backup_YYYYMMDD_HHMMSS in UTC: sortable by name, no daylight-saving hour that repeats. */
export function snapshotName(at: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${SNAPSHOT_PREFIX}${at.getUTCFullYear()}${p(at.getUTCMonth() + 1)}${p(at.getUTCDate())}_${p(at.getUTCHours())}${p(at.getUTCMinutes())}${p(at.getUTCSeconds())}`;
}

/** The time in a snapshot's name, or undefined when the name is not one. */
export function snapshotTime(name: string): Date | undefined {
  const m = NAME.exec(name);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  const t = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  // 20250100 would roll over to another day: a name that does not round-trip is not a snapshot name.
  return snapshotName(t) === name ? t : undefined;
}

/** Data-dir path (relative, '/') to its path inside a snapshot, and back. */
export function toSnapshotPath(rel: string): string {
  return rel === MANIFEST_FILE ? SOURCE_MANIFEST_FILE : rel;
}
export function toDataPath(snapRel: string): string {
  return snapRel === SOURCE_MANIFEST_FILE ? MANIFEST_FILE : snapRel;
}
