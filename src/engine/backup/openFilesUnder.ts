import { openFiles } from '../live/openFiles.js';

export interface OpenFile {
  path: string;
  pids: number[];
}

/**
 * Files under `under` that another process holds open, in any mode (a dashboard reading counts:
 * moving data from under a reader is what restore must not do), and working directories inside it.
 */
export async function openFilesUnder(under: string): Promise<OpenFile[]> {
  const found = new Map<string, Set<number>>();
  for (const h of await openFiles(under, { cwd: true })) {
    if (!found.has(h.path)) found.set(h.path, new Set());
    found.get(h.path)!.add(h.pid);
  }
  return [...found].map(([path, set]) => ({ path, pids: [...set].sort((a, b) => a - b) })).sort((a, b) => (a.path < b.path ? -1 : 1));
}
