import type { FileRecord, Finding } from '../finding.js';
import { makeFinding } from '../makeFinding.js';
import { runOf } from './manifestPaths.js';
import { statMatches } from './statMatches.js';
import type { ManifestEntry, RecordEntry } from './readManifest.js';

/** What one read of a file found, to hold against its manifest entry. */
export interface Observed {
  path: string;
  sha256: string;
  size: number;
  /** Hash of the first `entry.record.size` bytes, for an append-only file at least that long. */
  prefixSha256?: string;
  /** Stat at the time of the read; only used to word the message (a copy has other inodes). */
  stat?: { size: number; mtimeMs: number; ino: number };
}

/**
 * The manifest's verdict on one file read in full: nothing when it matches, manifest/appended when
 * an append-only file only grew, manifest/new when the manifest does not know it, else
 * manifest/modified, worded after what changed.
 */
export function judgeFile(entry: ManifestEntry | undefined, seen: Observed): Finding | undefined {
  const where = { run: runOf(seen.path), path: seen.path };
  if (!entry) return makeFinding('manifest/new', where, `not in the manifest (${seen.size} bytes): written after it. Record it: trackio-fsck manifest write`);
  if (entry.sha256 === seen.sha256) return undefined;
  const rec = entry.record;
  if (rec?.appendOnly && seen.size > rec.size && seen.prefixSha256 === entry.sha256) {
    return makeFinding('manifest/appended', where, `grew from ${rec.size} to ${seen.size} bytes; the ${rec.size} recorded bytes are intact`);
  }
  return makeFinding('manifest/modified', where, `${whatChanged(entry, seen)}. If the change was intended (a repair, an edit), record it: trackio-fsck manifest write`);
}

function whatChanged(entry: ManifestEntry, seen: Observed): string {
  const rec: RecordEntry | undefined = entry.record;
  const s = seen.stat;
  if (s && statMatches(rec, s)) {
    return 'content differs from the manifest although size, mtime and inode did not change: bit rot, or a change that hid its tracks';
  }
  if (rec?.appendOnly && seen.size < rec.size) return `shrank from ${rec.size} to ${seen.size} bytes: recorded bytes were cut off`;
  if (rec?.appendOnly && seen.size > rec.size) return `grew from ${rec.size} to ${seen.size} bytes, but its first ${rec.size} bytes changed too`;
  if (rec && seen.size !== rec.size) return `content differs from the manifest (${rec.size} bytes recorded, ${seen.size} now)`;
  return `content differs from the manifest (sha256 ${entry.sha256.slice(0, 12)}… recorded, ${seen.sha256.slice(0, 12)}… now)`;
}

/** judgeFile for a file check read: its record's hashes and stat against its manifest entry. */
export function judgeRecord(entry: ManifestEntry | undefined, record: FileRecord): Finding | undefined {
  return judgeFile(entry, {
    path: record.path,
    sha256: record.sha256,
    size: record.size,
    prefixSha256: record.prefixSha256,
    stat: { size: record.size, mtimeMs: record.mtimeMs, ino: record.ino },
  });
}
