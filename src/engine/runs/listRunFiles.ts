import type { Dirent, Stats } from 'node:fs';
import { lstat, readdir, realpath, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Finding } from '../finding.js';
import { makeFinding } from '../makeFinding.js';
import { isInside } from '../io/isInside.js';
import { TEMP_PREFIX } from '../io/writeFileAtomic.js';
import { COPY_TEMP_INFIX } from '../io/copyFileVerified.js';

export interface FileEntry {
  abs: string;
  /** Relative to the data dir, '/'-separated. */
  rel: string;
  /** Relative to the run dir. */
  inRun: string;
  stat: Stats;
}

/**
 * Names an interrupted atomic write leaves behind: other writers' (`*.tmp`, `*.partial*`, `*.swp`)
 * and trackio-fsck's own (writeFileAtomic's and a repair's `.trackio-fsck-tmp-*`, copyFileVerified's
 * `*.trackio-fsck-copy-<pid>`), left when it was killed mid-write.
 */
export const TEMP_NAME = new RegExp(`\\.tmp$|\\.partial($|[.-])|\\.swp$|^${escapeRe(TEMP_PREFIX)}|${escapeRe(COPY_TEMP_INFIX)}\\d+$`);

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Lists every regular file of a run, depth first in name order, without following a symlink that
 * leads outside the data dir (reported as fs/symlink-escape). Symlinked directories are not
 * descended, so a link loop cannot trap the walk.
 */
export async function listRunFiles(
  runAbs: string,
  runId: string,
  realDataDir: string,
  emit: (f: Finding) => void,
): Promise<FileEntry[]> {
  const files: FileEntry[] = [];
  const runRel = `runs/${runId}`;
  async function walk(dirAbs: string, inRun: string): Promise<void> {
    let entries: Dirent[];
    try {
      entries = await readdir(dirAbs, { withFileTypes: true });
    } catch (err) {
      emit(makeFinding('fs/unreadable', { run: runId, path: inRun ? `${runRel}/${inRun}` : runRel }, `cannot list directory: ${(err as Error).message}`));
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const abs = join(dirAbs, entry.name);
      const childInRun = inRun ? `${inRun}/${entry.name}` : entry.name;
      const rel = `${runRel}/${childInRun}`;
      if (entry.isDirectory()) {
        await walk(abs, childInRun);
        continue;
      }
      let st: Stats;
      try {
        st = await lstat(abs);
        if (st.isSymbolicLink()) {
          const target = await realpath(abs).catch(() => undefined);
          if (!target || !isInside(realDataDir, target)) {
            emit(makeFinding('fs/symlink-escape', { run: runId, path: rel }, target ? `symbolic link to ${target}, outside the data dir: not followed` : 'dangling symbolic link: not followed'));
            continue;
          }
          st = await stat(abs);
          if (st.isDirectory()) continue; // a linked directory inside the data dir is listed where it really lives
        }
      } catch (err) {
        emit(makeFinding('fs/unreadable', { run: runId, path: rel }, `cannot stat: ${(err as Error).message}`));
        continue;
      }
      if (!st.isFile()) {
        emit(makeFinding('fs/unreadable', { run: runId, path: rel }, 'not a regular file (device, FIFO or socket): not read'));
        continue;
      }
      files.push({ abs, rel, inRun: childInRun, stat: st });
    }
  }
  await walk(runAbs, '');
  return files;
}
