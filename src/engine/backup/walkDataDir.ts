import type { Stats } from 'node:fs';
import { join } from 'node:path';
import type { Finding } from '../finding.js';
import { isOwnTempName } from '../fs/ownNames.js';
import { walkTree } from '../fs/walkTree.js';
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
 * order and exact (walkTree). Symlinks are never followed: they are listed as links, and one that
 * leads outside the data dir (or nowhere) is reported, as check reports it.
 */
export async function walkDataDir(realDataDir: string, excludeAbs: string[], emit: (f: Finding) => void): Promise<DataEntry[]> {
  const excluded = new Set([...EXCLUDED_DIRS.map((d) => join(realDataDir, d)), ...excludeAbs]);
  const out: DataEntry[] = [];
  const walked = walkTree(realDataDir, {
    skip: (rel, name) => OWN_TEMP(name) || excluded.has(join(realDataDir, rel)),
    onError: (rel, err, what) => emit(makeFinding('fs/unreadable', { run: runOf(rel), path: rel || '.' }, `cannot ${what === 'list' ? 'list directory' : 'stat'}: ${err.message}; not in the snapshot`)),
  });
  for (const e of walked) {
    if (e.kind === 'dir' || e.kind === 'file') out.push({ kind: e.kind, rel: e.rel, abs: e.abs, stat: e.stat });
    else if (e.kind === 'symlink') {
      if (e.link.escapes) {
        const what = e.link.toDir ? 'its files are not in the snapshot' : 'its target is not backed up';
        emit(makeFinding('backup/symlink-escape', { run: runOf(e.rel), path: e.rel }, `${e.link.real ? `symbolic link to ${e.link.real}, outside the data dir` : `symbolic link to ${e.link.target}, which leads nowhere`}: kept as a link, ${what}`));
      }
      out.push({ kind: 'symlink', rel: e.rel, abs: e.abs, target: e.link.target, escapes: e.link.escapes });
    } else {
      emit(makeFinding('backup/not-copied', { run: runOf(e.rel), path: e.rel }, 'a FIFO, socket or device: not backed up'));
    }
  }
  return out;
}

export function runOf(rel: string): string | null {
  const m = /^runs\/([^/]+)/.exec(rel);
  return m ? m[1]! : null;
}
