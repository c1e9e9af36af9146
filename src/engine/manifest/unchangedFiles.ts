import { lstatSync } from 'node:fs';
import { fsPath } from '../fs/pathBytes.js';
import { readNames } from '../fs/walkTree.js';
import { realpath } from 'node:fs/promises';
import { join } from 'node:path';
import { listRunFiles } from '../layouts/runDirectory/listRunFiles.js';
import type { ManifestState } from './readManifest.js';
import { statMatches } from './statMatches.js';

export interface UnchangedSplit {
  /** Recorded, not recorded live, and size, mtime and inode as recorded: safe to skip under --fast rules. */
  unchanged: string[];
  /** Recorded, but the stat differs (or the record cannot vouch for it): must be read. */
  changed: string[];
  /** Under runs/ but not in the manifest. */
  added: string[];
  /** In the manifest, under runs/, but not found by the walk. */
  gone: string[];
}

/**
 * Splits the files under DIR/runs by what their stat says against the manifest's record, opening
 * none of them. For callers that want --fast's shortcut without a check (a backup deciding what
 * to copy again, a hook deciding what to look at). Paths are relative to DIR, sorted.
 */
export async function unchangedFiles(dataDir: string, state: ManifestState): Promise<UnchangedSplit> {
  const real = await realpath(dataDir);
  const runsDir = join(real, 'runs');
  const split: UnchangedSplit = { unchanged: [], changed: [], added: [], gone: [] };
  const seen = new Set<string>();
  let runs: string[] = [];
  try {
    // walkTree's rule: runs/ and run directories are never walked through a link.
    if (lstatSync(runsDir).isDirectory()) runs = readNames(runsDir).filter((name) => lstatSync(fsPath(join(runsDir, name)), { throwIfNoEntry: false })?.isDirectory());
  } catch {
    // no runs/: every recorded file is gone
  }
  for (const run of runs) {
    for (const f of listRunFiles(join(runsDir, run), run, real, () => {}, { cache: state.dirs })) {
      seen.add(f.rel);
      const entry = state.entries.get(f.rel);
      if (!entry) split.added.push(f.rel);
      else if (statMatches(entry.record, f.stat) && !entry.record.live) split.unchanged.push(f.rel);
      else split.changed.push(f.rel);
    }
  }
  for (const path of state.entries.keys()) if (path.startsWith('runs/') && !seen.has(path)) split.gone.push(path);
  split.gone.sort();
  return split;
}
