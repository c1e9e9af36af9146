import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { FsckError } from '../errors.js';
import { findRestoreLeftovers } from '../backup/restoreLeftovers.js';
import { LAYOUTS } from './index.js';
import type { DataDir } from './Layout.js';

export type { DataDir };

export interface FindOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

/** The folder searched for from the working directory upward, as git finds .git. */
const NEAREST = '.trackio';

/** The first layout that finds its data dir in `dir`. */
function recognise(dir: string): Omit<DataDir, 'foundBy'> | undefined {
  for (const layout of LAYOUTS) {
    const dataDir = layout.locate(dir);
    if (dataDir) return { dataDir, layout: layout.name };
  }
  return undefined;
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Finds the data dir the way git finds .git: DIR when given, else $TRACKIO_DIR, else the nearest
 * .trackio/ from the working directory upward, else the places a layout keeps its data by default
 * (real Trackio: $HF_HOME/trackio, ~/.cache/huggingface/trackio). Throws (exit 8) naming every
 * place it looked.
 */
export function findDataDir(dir: string | undefined, opts: FindOptions = {}): DataDir {
  const env = opts.env ?? process.env;
  const cwd = opts.cwd ?? process.cwd();
  const looked: string[] = [];
  if (dir !== undefined) {
    const abs = resolve(cwd, dir);
    if (!existsSync(abs)) {
      // A restore killed between moving the data aside and moving its copy in leaves the whole copy under another name.
      const whole = findRestoreLeftovers(abs, false).find((l) => l.action === 'finish');
      throw new FsckError(`no such directory: ${abs}${whole ? `; a restore killed mid-swap left the whole, verified copy at ${whole.path}: the next restore moves it into place, or: mv '${whole.path}' '${abs}'` : ''}`);
    }
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
    const candidate = join(d, NEAREST);
    if (isDir(candidate)) {
      const found = recognise(candidate);
      if (found?.dataDir === candidate) return { ...found, foundBy: 'search' };
    }
    looked.push(candidate);
    if (dirname(d) === d) break;
  }
  for (const layout of LAYOUTS) {
    for (const home of layout.homes(env, cwd)) {
      const dataDir = layout.locate(home.dir);
      if (dataDir) return { dataDir, layout: layout.name, foundBy: home.foundBy };
      looked.push(`${home.dir} (${home.label})`);
    }
  }
  throw new FsckError(`no trackio data dir found. Looked in:\n  ${looked.join('\n  ')}\nName one: trackio-fsck check DIR, or set TRACKIO_DIR.`);
}
