import { readdir, readlink } from 'node:fs/promises';

export interface OpenFile {
  path: string;
  pids: number[];
}

/**
 * Files under `under` that another process holds open, in any mode (a dashboard reading counts:
 * moving data from under a reader is what restore must not do), read from /proc/<pid>/fd and each
 * process's working directory (Linux). Elsewhere, or where /proc is not readable, the list is empty.
 */
export async function openFilesUnder(under: string): Promise<OpenFile[]> {
  const found = new Map<string, Set<number>>();
  let pids: string[];
  try {
    pids = (await readdir('/proc')).filter((name) => /^\d+$/.test(name) && Number(name) !== process.pid);
  } catch {
    return [];
  }
  const prefix = under.endsWith('/') ? under : under + '/';
  const inside = (p: string) => p === under || p.startsWith(prefix);
  const add = (p: string, pid: string) => {
    if (!found.has(p)) found.set(p, new Set());
    found.get(p)!.add(Number(pid));
  };
  await Promise.all(
    pids.map(async (pid) => {
      const cwd = await readlink(`/proc/${pid}/cwd`).catch(() => undefined);
      if (cwd && inside(cwd)) add(cwd, pid);
      let fds: string[];
      try {
        fds = await readdir(`/proc/${pid}/fd`);
      } catch {
        return; // gone, or not ours to look at
      }
      for (const fd of fds) {
        const target = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => undefined);
        if (target && inside(target)) add(target, pid);
      }
    }),
  );
  return [...found].map(([path, set]) => ({ path, pids: [...set].sort((a, b) => a - b) })).sort((a, b) => (a.path < b.path ? -1 : 1));
}
