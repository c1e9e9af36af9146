import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { FsckError } from '../errors.js';

export type Layout = 'run-directory';

export interface DataDir {
  /** Absolute path of the data dir (the folder holding runs/). */
  dataDir: string;
  layout: Layout;
  /** How it was found, for messages. */
  foundBy: 'argument' | 'TRACKIO_DIR' | 'search';
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
  return undefined;
}

/**
 * Finds the data dir the way git finds .git: DIR when given, else $TRACKIO_DIR, else the nearest
 * .trackio/ from the working directory upward. Throws (exit 8) naming every place it looked.
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
    throw new FsckError(`${abs} is not a trackio data dir: it holds neither runs/ nor .trackio/runs/`);
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
  throw new FsckError(`no trackio data dir found. Looked in:\n  ${looked.join('\n  ')}\nName one: trackio-fsck check DIR, or set TRACKIO_DIR.`);
}
