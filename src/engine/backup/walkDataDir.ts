import type { Dirent, Stats } from 'node:fs';
import { lstat, readdir, readlink, realpath } from 'node:fs/promises';
import { join } from 'node:path';
import type { Finding } from '../finding.js';
import { isInside } from '../fs/isInside.js';
import { isOwnTempName } from '../fs/ownNames.js';
import { makeFinding } from '../makeFinding.js';

export type DataEntry =
  | { kind: 'dir'; rel: string; abs: string; stat: Stats }
  | { kind: 'file'; rel: string; abs: string; stat: Stats }
  | { kind: 'symlink'; rel: string; abs: string; target: string; escapes: boolean };

/**
 * What a backup leaves out, relative to the data dir: the pre-repair backups and journals of
 * `repair` (they describe the live data dir, so `undo` must never see them come back from an older
 * snapshot), the repair lock (restored, it would name a process long gone, or a live one that reused
 * its pid), and trackio-fsck's own in-flight temp files. BACKUPS itself is left out when it lies
 * inside the data dir.
 */
export const EXCLUDED_DIRS = ['.trackio-fsck/repairs', '.trackio-fsck/lock'];
const OWN_TEMP = isOwnTempName;

/**
 * Every directory, regular file and symlink of the data dir, parents before children, names in
 * byte order. Symlinks are never followed: they are listed as links, and one that leads outside the
 * data dir (or nowhere) is marked so the caller can report it.
 */
export async function walkDataDir(realDataDir: string, excludeAbs: string[], emit: (f: Finding) => void): Promise<DataEntry[]> {
  const out: DataEntry[] = [];
  const excluded = new Set([...EXCLUDED_DIRS.map((d) => join(realDataDir, d)), ...excludeAbs]);
  async function walk(dirAbs: string, dirRel: string): Promise<void> {
    let entries: Dirent[];
    try {
      entries = await readdir(dirAbs, { withFileTypes: true });
    } catch (err) {
      emit(makeFinding('fs/unreadable', { run: runOf(dirRel), path: dirRel || '.' }, `cannot list directory: ${(err as Error).message}`));
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const abs = join(dirAbs, e.name);
      const rel = dirRel ? `${dirRel}/${e.name}` : e.name;
      if (excluded.has(abs) || OWN_TEMP(e.name)) continue;
      let st: Stats;
      try {
        st = await lstat(abs);
      } catch (err) {
        emit(makeFinding('fs/unreadable', { run: runOf(rel), path: rel }, `cannot stat: ${(err as Error).message}`));
        continue;
      }
      if (st.isDirectory()) {
        out.push({ kind: 'dir', rel, abs, stat: st });
        await walk(abs, rel);
      } else if (st.isFile()) {
        out.push({ kind: 'file', rel, abs, stat: st });
      } else if (st.isSymbolicLink()) {
        const target = await readlink(abs);
        const real = await realpath(abs).catch(() => undefined);
        const escapes = real === undefined || !isInside(realDataDir, real);
        if (escapes) {
          emit(makeFinding('backup/symlink-escape', { run: runOf(rel), path: rel }, `symbolic link to ${real ?? `${target} (which does not exist)`}: kept as a link, its target is not backed up`));
        }
        out.push({ kind: 'symlink', rel, abs, target, escapes });
      } else {
        emit(makeFinding('backup/not-copied', { run: runOf(rel), path: rel }, 'a FIFO, socket or device: not backed up'));
      }
    }
  }
  await walk(realDataDir, '');
  return out;
}

export function runOf(rel: string): string | null {
  const m = /^runs\/([^/]+)/.exec(rel);
  return m ? m[1]! : null;
}
