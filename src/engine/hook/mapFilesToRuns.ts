import { isAbsolute, resolve } from 'node:path';
import { LAYOUTS } from '../layouts/index.js';
import type { LayoutName } from '../layouts/Layout.js';

export interface RunTarget {
  /** Absolute path of the data dir. */
  dataDir: string;
  layout: LayoutName;
  /** Units (run ids, or Trackio project names) touched by the files, sorted. */
  runs: string[];
  /** The staged files of those runs, relative to the data dir ('/'), sorted: never trusted by stat. */
  files: string[];
}

export interface FileMapping {
  /** One entry per data dir, in the order first met. */
  targets: RunTarget[];
  /** Files that lie in no data dir (source code, notebooks, ...). */
  ignored: string[];
  /** Files whose run directory no longer exists: the run was deleted in this commit, which is fine. */
  gone: string[];
}

export interface MapOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

/**
 * Maps staged file names (relative to `cwd`, as git and pre-commit pass them) to the data dirs and
 * units they belong to: a run of a run-directory data dir, or a project of a Trackio data dir (its
 * database, media or blobs). Each layout places a file or not (layouts/*: placeStaged); files no
 * layout places are not data, and a file of a unit deleted in this commit is fine.
 */
export function mapFilesToRuns(files: readonly string[], options: MapOptions = {}): FileMapping {
  const cwd = options.cwd ?? process.cwd();
  const env = options.env ?? process.env;
  const byDataDir = new Map<string, { layout: LayoutName; runs: Set<string>; files: Set<string> }>();
  const ignored: string[] = [];
  const gone: string[] = [];
  for (const file of files) {
    if (file === '') continue;
    const abs = isAbsolute(file) ? file : resolve(cwd, file);
    let placed = false;
    for (const layout of LAYOUTS) {
      const place = layout.placeStaged(abs, env, cwd);
      if (!place) continue;
      placed = true;
      if ('gone' in place) gone.push(file);
      else {
        let target = byDataDir.get(place.dataDir);
        if (!target) byDataDir.set(place.dataDir, (target = { layout: layout.name, runs: new Set(), files: new Set() }));
        target.runs.add(place.unit);
        target.files.add(place.rel);
      }
      break;
    }
    if (!placed) ignored.push(file);
  }
  const targets = [...byDataDir].map(([dataDir, t]) => ({ dataDir, layout: t.layout, runs: [...t.runs].sort(), files: [...t.files].sort() }));
  return { targets, ignored, gone };
}
