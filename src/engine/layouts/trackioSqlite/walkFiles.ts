import { walkTree } from '../../fs/walkTree.js';

/** Regular files below `dir` (relative paths with '/'), in name order (walkTree: links not followed, names exact). Missing dir: none. */
export async function walkFiles(dir: string, prefix = ''): Promise<string[]> {
  return walkTree(dir, { prefix }).flatMap((e) => (e.kind === 'file' ? [e.rel] : []));
}
