import { walkTree } from '../../fs/walkTree.js';

/**
 * Regular files below `dir` (relative paths with '/'), in name order (walkTree: links not followed,
 * names exact). Missing dir: none. A folder that exists but cannot be read (permissions) is handed
 * to `onUnreadable` (its relative path, '' for `dir` itself), so it is reported, not taken for empty.
 */
export async function walkFiles(dir: string, prefix = '', onUnreadable?: (rel: string, err: NodeJS.ErrnoException) => void): Promise<string[]> {
  const onError = (rel: string, err: NodeJS.ErrnoException, what: 'list' | 'stat') => {
    if (what === 'list' && err.code !== 'ENOENT' && err.code !== 'ENOTDIR') onUnreadable?.(rel === '' ? prefix : rel, err);
  };
  return walkTree(dir, { prefix, onError }).flatMap((e) => (e.kind === 'file' ? [e.rel] : []));
}
