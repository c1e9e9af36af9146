import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { FsckError } from '../errors.js';

export type Layout = 'run-directory' | 'trackio-sqlite';

export interface DataDir {
  /** Absolute path of the data dir (the folder holding runs/). */
  dataDir: string;
  layout: Layout;
  /** How it was found, for messages. */
  foundBy: 'argument' | 'TRACKIO_DIR' | 'search' | 'HF_HOME' | 'home';
}

export interface FindOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** Recognises a data dir: a folder holding runs/, or a folder holding .trackio/ that does. */
function recognise(dir: string): { dataDir: string; layout: Layout } | undefined {
  if (isDir(join(dir, 'runs'))) return { dataDir: dir, layout: 'run-directory' };
  const dotted = join(dir, '.trackio');
  if (isDir(join(dotted, 'runs'))) return { dataDir: dotted, layout: 'run-directory' };
  if (holdsProjectDatabases(dir)) return { dataDir: dir, layout: 'trackio-sqlite' };
  return undefined;
}

/** Real Trackio (the Python package) keeps one <project>.db per project directly in its data dir. */
function holdsProjectDatabases(dir: string): boolean {
  try {
    return readdirSync(dir, { withFileTypes: true }).some((e) => e.isFile() && e.name.endsWith('.db'));
  } catch {
    return false;
  }
}

/**
 * Finds the data dir the way git finds .git: DIR when given, else $TRACKIO_DIR, else the nearest
 * .trackio/ from the working directory upward, else real Trackio's own place ($HF_HOME/trackio,
 * ~/.cache/huggingface/trackio). Throws (exit 8) naming every place it looked.
 */
export function findDataDir(dir: string | undefined, opts: FindOptions = {}): DataDir {
  const env = opts.env ?? process.env;
  const cwd = opts.cwd ?? process.cwd();
  const looked: string[] = [];
  if (dir !== undefined) {
    const abs = resolve(cwd, dir);
    if (!existsSync(abs)) throw new FsckError(`no such directory: ${abs}`);
    const found = recognise(abs);
    if (found) return { ...found, foundBy: 'argument' };
    throw new FsckError(`${abs} is not a trackio data dir: it holds neither runs/, nor .trackio/runs/, nor <project>.db files`);
  }
  if (env.TRACKIO_DIR) {
    const abs = resolve(cwd, env.TRACKIO_DIR);
    const found = recognise(abs);
    if (found) return { ...found, foundBy: 'TRACKIO_DIR' };
    looked.push(`${abs} ($TRACKIO_DIR)`);
  }
  for (let d = resolve(cwd); ; d = dirname(d)) {
    const candidate = join(d, '.trackio');
    if (isDir(join(candidate, 'runs'))) return { dataDir: candidate, layout: 'run-directory', foundBy: 'search' };
    looked.push(candidate);
    if (dirname(d) === d) break;
  }
  // Where real Trackio keeps its databases: $HF_HOME/trackio, normally ~/.cache/huggingface/trackio.
  const homes: Array<[string, DataDir['foundBy'], string]> = [];
  if (env.HF_HOME) homes.push([join(resolve(cwd, env.HF_HOME), 'trackio'), 'HF_HOME', '$HF_HOME/trackio']);
  if (env.HOME) homes.push([join(env.HOME, '.cache', 'huggingface', 'trackio'), 'home', '~/.cache/huggingface/trackio']);
  for (const [candidate, foundBy, name] of homes) {
    if (holdsProjectDatabases(candidate)) return { dataDir: candidate, layout: 'trackio-sqlite', foundBy };
    looked.push(`${candidate} (${name})`);
  }
  throw new FsckError(`no trackio data dir found. Looked in:\n  ${looked.join('\n  ')}\nName one: trackio-fsck check DIR, or set TRACKIO_DIR.`);
}
