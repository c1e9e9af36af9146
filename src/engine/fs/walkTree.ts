import { lstatSync, readdirSync, readlinkSync, realpathSync, statSync, type Stats } from 'node:fs';
import { isInside } from './isInside.js';
import { decodePathBytes, fsPath } from './pathBytes.js';

/**
 * What a walk finds at one name. A symbolic link is never followed: it is reported with its target
 * (as written), where it really leads (`real`, undefined when nowhere) and whether that is outside
 * the walk's root (`escapes`, also true for a dangling link).
 */
export type WalkEntry =
  | { kind: 'dir'; rel: string; abs: string; stat: Stats }
  | { kind: 'file'; rel: string; abs: string; stat: Stats }
  | { kind: 'symlink'; rel: string; abs: string; stat: Stats; link: LinkInfo }
  | { kind: 'other'; rel: string; abs: string; stat: Stats };

export interface LinkInfo {
  target: string;
  real: string | undefined;
  escapes: boolean;
  /** Where it leads is a directory (never descended) rather than a file. */
  toDir: boolean;
}

export interface WalkOptions {
  /** Leave an entry out (a directory: not descended). `rel` is relative to the root, '/'-separated. */
  skip?: (rel: string, name: string) => boolean;
  /** A directory that cannot be listed, or an entry that cannot be stat'ed (rel '' is the root). */
  onError?: (rel: string, err: NodeJS.ErrnoException, what: 'list' | 'stat') => void;
  /** Links are judged against this real directory (default: the walk's root). */
  escapeRoot?: string;
  /** Relative path the root's entries are under (a run walked from inside its data dir). */
  prefix?: string;
}

/**
 * The one tree walker: every directory, regular file, symbolic link and special file under `root`,
 * parents before children, names in order. lstat only: a link (to a directory or a file) is listed
 * as a link and never followed, so a walk never leaves its root and a link loop cannot trap it.
 * Names are read as bytes and kept exact (pathBytes), so a name that is not valid UTF-8 is found,
 * opened and copied like any other. Synchronous: a promise per lstat costs more than the lstat.
 */
export function walkTree(root: string, options: WalkOptions = {}): WalkEntry[] {
  const out: WalkEntry[] = [];
  const escapeRoot = options.escapeRoot ?? root;
  const walk = (dirAbs: string, dirRel: string): void => {
    let names: string[];
    try {
      names = readNames(dirAbs);
    } catch (err) {
      options.onError?.(dirRel, err as NodeJS.ErrnoException, 'list');
      return;
    }
    for (const name of names) {
      const rel = dirRel ? `${dirRel}/${name}` : name;
      if (options.skip?.(rel, name)) continue;
      const abs = `${dirAbs}/${name}`;
      let st: Stats;
      try {
        st = lstatSync(fsPath(abs));
      } catch (err) {
        options.onError?.(rel, err as NodeJS.ErrnoException, 'stat');
        continue;
      }
      if (st.isDirectory()) {
        out.push({ kind: 'dir', rel, abs, stat: st });
        walk(abs, rel);
      } else if (st.isFile()) out.push({ kind: 'file', rel, abs, stat: st });
      else if (st.isSymbolicLink()) out.push({ kind: 'symlink', rel, abs, stat: st, link: inspectLink(abs, escapeRoot) });
      else out.push({ kind: 'other', rel, abs, stat: st });
    }
  };
  walk(root.length > 1 && root.endsWith('/') ? root.slice(0, -1) : root, options.prefix ?? '');
  return out;
}

/** A directory's entry names, exact (bytes decoded by pathBytes), in code-unit order. */
export function readNames(dirAbs: string): string[] {
  return readEntries(dirAbs)
    .map((e) => e.name)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * A directory's entries (name exact, and whether it is a directory, from the dirent type), unsorted.
 * Names are read as strings (native decoding, the fast path); only a directory where one decoded
 * to U+FFFD (bytes that are not UTF-8, or a real U+FFFD) is read again as bytes.
 */
export function readEntries(dirAbs: string): Array<{ name: string; isDir: boolean }> {
  const p = fsPath(dirAbs);
  const fast = readdirSync(p, { withFileTypes: true });
  if (!fast.some((e) => e.name.includes('\ufffd'))) return fast.map((e) => ({ name: e.name, isDir: e.isDirectory() }));
  return readdirSync(p, { withFileTypes: true, encoding: 'buffer' }).map((e) => ({ name: decodePathBytes(e.name), isDir: e.isDirectory() }));
}

/** Where a link leads, judged against `root` (a real path). Never throws. */
export function inspectLink(abs: string, root: string): LinkInfo {
  const p = fsPath(abs);
  let target = '';
  try {
    target = decodePathBytes(readlinkSync(p, { encoding: 'buffer' }));
  } catch {
    // gone since it was listed: it leads nowhere
  }
  let real: string | undefined;
  try {
    real = decodePathBytes(realpathSync.native(p, { encoding: 'buffer' }));
  } catch {
    real = undefined;
  }
  let toDir = false;
  if (real !== undefined) {
    try {
      toDir = statSync(fsPath(real)).isDirectory();
    } catch {
      toDir = false;
    }
  }
  return { target, real, escapes: real === undefined || !isInside(root, real), toDir };
}

/** The one sentence every command uses for a link it does not follow. */
export function linkMessage(link: LinkInfo): string {
  if (link.real === undefined) return `symbolic link to ${link.target}, which leads nowhere: not followed`;
  if (link.escapes) return `symbolic link to ${link.real}, outside the data dir: not followed`;
  return `symbolic link to ${link.real}: not followed`;
}

/**
 * True when `rel` (relative to `root`, '/') names a regular file reached through real directories
 * only: the walker's rule for a single path (a file inside a snapshot reached through a link is not
 * in the snapshot).
 */
export function isPlainFile(root: string, rel: string): boolean {
  const parts = rel.split('/');
  let abs = root;
  for (let i = 0; i < parts.length; i++) {
    abs = `${abs}/${parts[i]}`;
    const st = lstatSync(fsPath(abs), { throwIfNoEntry: false });
    if (!st || (i < parts.length - 1 ? !st.isDirectory() : !st.isFile())) return false;
  }
  return true;
}
