import type { RecordEntry } from './readManifest.js';

/**
 * Git's index rule: size, mtime and inode as recorded means unchanged, without reading a byte.
 * Only check --fast (and callers that ask for it) rely on it: a copy changes inodes, and a write
 * that restores size and mtime in place goes unseen (plain check and manifest verify see it).
 */
export function statMatches(rec: RecordEntry | undefined, st: { size: number; mtimeMs: number; ino: number }): rec is RecordEntry {
  return rec !== undefined && rec.size === st.size && rec.mtimeMs === st.mtimeMs && rec.ino === st.ino;
}
