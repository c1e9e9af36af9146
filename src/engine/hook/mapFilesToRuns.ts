import { lstatSync } from 'node:fs';
import { basename, isAbsolute, join, resolve, sep } from 'node:path';
import { QUARANTINE_DIR, STATE_DIR } from '../fs/ownNames.js';
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
  /**
   * trackio-fsck's own state staged with the data (DIR/.trackio-fsck/..., DIR/quarantine/...): a
   * pre-repair backup copy there holds the damaged bytes on purpose, so it is never checked as a run.
   */
  own: string[];
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
  const own: string[] = [];
  const trackioDir = env.TRACKIO_DIR ? resolve(cwd, env.TRACKIO_DIR) : undefined;
  for (const file of files) {
    if (file === '') continue;
    const abs = isAbsolute(file) ? file : resolve(cwd, file);
    const ownPrefix = ownStatePrefix(abs, trackioDir);
    let placed = false;
    for (const layout of LAYOUTS) {
      const place = layout.placeStaged(abs, env, cwd);
      if (!place) continue;
      placed = true;
      // The outermost wins: the tool's own folder of a data dir, unless it lies inside a unit already placed.
      if (ownPrefix !== undefined && ('gone' in place || place.dataDir.length >= ownPrefix.length)) own.push(file);
      else if ('gone' in place) gone.push(file);
      else {
        let target = byDataDir.get(place.dataDir);
        if (!target) byDataDir.set(place.dataDir, (target = { layout: layout.name, runs: new Set(), files: new Set() }));
        target.runs.add(place.unit);
        target.files.add(place.rel);
      }
      break;
    }
    if (!placed) {
      if (ownPrefix !== undefined) own.push(file);
      else ignored.push(file);
    }
  }
  const targets = [...byDataDir].map(([dataDir, t]) => ({ dataDir, layout: t.layout, runs: [...t.runs].sort(), files: [...t.files].sort() }));
  return { targets, ignored, gone, own };
}

/**
 * The folder holding trackio-fsck's own state that `abs` lies in, outermost first: .trackio-fsck (only
 * trackio-fsck makes a folder of that name), or quarantine/ beside a data dir's runs/ or
 * .trackio-fsck/ (a folder of that name elsewhere is somebody's data).
 */
function ownStatePrefix(abs: string, trackioDir: string | undefined): string | undefined {
  const parts = abs.split(sep);
  for (let i = 1; i + 1 < parts.length; i++) {
    const dir = parts.slice(0, i).join(sep) || sep;
    if (parts[i] === STATE_DIR) return dir;
    if (parts[i] === QUARANTINE_DIR && (basename(dir) === '.trackio' || dir === trackioDir || isRealDir(join(dir, 'runs')) || isRealDir(join(dir, STATE_DIR)))) return dir;
  }
  return undefined;
}

function isRealDir(p: string): boolean {
  try {
    return lstatSync(p).isDirectory();
  } catch {
    return false;
  }
}
