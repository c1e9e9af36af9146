import { lstatSync, statSync } from 'node:fs';
import { basename, isAbsolute, join, resolve, sep } from 'node:path';

/** The files every run is recognised by; a folder named runs/ without them is somebody else's. */
const RUN_MARKERS = ['metrics.jsonl', 'config.json', 'summary.json'] as const;

export interface RunTarget {
  /** Absolute path of the data dir (the folder holding runs/). */
  dataDir: string;
  /** Run ids touched by the files, sorted. */
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
 * runs they belong to. A file belongs to run ID of data dir D when it lies below D/runs/ID/ and D is
 * a real data dir: named .trackio, equal to $TRACKIO_DIR, or its run directory holds one of the
 * files every run has. The outermost such D wins, so a data dir stored as a run's artifact is part
 * of that run, and an unrelated src/runs/ folder is ignored.
 */
export function mapFilesToRuns(files: readonly string[], options: MapOptions = {}): FileMapping {
  const cwd = options.cwd ?? process.cwd();
  const env = options.env ?? process.env;
  const trackioDir = env.TRACKIO_DIR ? resolve(cwd, env.TRACKIO_DIR) : undefined;
  const byDataDir = new Map<string, Set<string>>();
  const staged = new Map<string, string[]>();
  const ignored: string[] = [];
  const gone: string[] = [];
  // Many staged files usually share one run: decide each run directory once.
  const verdicts = new Map<string, 'run' | 'gone' | 'no'>();

  const judge = (dataDir: string, runId: string): 'run' | 'gone' | 'no' => {
    const runDir = join(dataDir, 'runs', runId);
    let verdict = verdicts.get(runDir);
    if (verdict) return verdict;
    // A run directory that is a link is checked (and reported: never followed), not taken for a deleted run.
    if (isLink(runDir)) verdict = 'run';
    else if (!isRealDir(runDir)) verdict = isRealDir(join(dataDir, 'runs')) || basename(dataDir) === '.trackio' ? 'gone' : 'no';
    else if (basename(dataDir) === '.trackio' || dataDir === trackioDir || RUN_MARKERS.some((m) => exists(join(runDir, m)))) verdict = 'run';
    else verdict = 'no';
    verdicts.set(runDir, verdict);
    return verdict;
  };

  for (const file of files) {
    if (file === '') continue;
    const abs = isAbsolute(file) ? file : resolve(cwd, file);
    const parts = abs.split(sep);
    let placed: 'run' | 'gone' | undefined;
    // parts[i] === 'runs', parts[i + 1] the run id, and at least one more name below it.
    for (let i = 1; i + 2 < parts.length && !placed; i++) {
      if (parts[i] !== 'runs') continue;
      const dataDir = parts.slice(0, i).join(sep) || sep;
      const runId = parts[i + 1]!;
      if (runId === '' || runId === '.' || runId === '..') continue;
      const verdict = judge(dataDir, runId);
      if (verdict === 'no') continue;
      placed = verdict;
      if (verdict === 'run') {
        let runs = byDataDir.get(dataDir);
        if (!runs) byDataDir.set(dataDir, (runs = new Set()));
        runs.add(runId);
        let rels = staged.get(dataDir);
        if (!rels) staged.set(dataDir, (rels = []));
        rels.push(parts.slice(i).join('/'));
      }
    }
    if (placed === 'gone') gone.push(file);
    else if (!placed) ignored.push(file);
  }
  const targets = [...byDataDir].map(([dataDir, runs]) => ({ dataDir, runs: [...runs].sort(), files: [...new Set(staged.get(dataDir))].sort() }));
  return { targets, ignored, gone };
}

function isRealDir(p: string): boolean {
  try {
    return lstatSync(p).isDirectory();
  } catch {
    return false;
  }
}

function isLink(p: string): boolean {
  return lstatSync(p, { throwIfNoEntry: false })?.isSymbolicLink() ?? false;
}

function exists(p: string): boolean {
  try {
    statSync(p);
    return true;
  } catch {
    return false;
  }
}
