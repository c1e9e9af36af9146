import { readdir, readFile, readlink } from 'node:fs/promises';

const O_ACCMODE = 0o3;

export interface OpenHandle {
  /** Absolute path the handle points at (or the process's working directory). */
  path: string;
  pid: number;
  /** Opened for writing (O_WRONLY or O_RDWR); false for reads and working directories. */
  writable: boolean;
}

export interface OpenFilesOptions {
  /** Also count a process whose working directory is inside (moving a folder from under a shell). */
  cwd?: boolean;
  /** Only handles open for writing (reads /proc/<pid>/fdinfo for the mode). */
  writableOnly?: boolean;
}

/**
 * What other processes hold open under `under`, read from /proc/<pid>/fd (Linux). Elsewhere, or
 * where /proc is not readable, the list is empty and callers fall back to weaker evidence. The one
 * place that reads /proc for open files: check (live runs), restore and the SQLite layout use it.
 */
export async function openFiles(under: string, opts: OpenFilesOptions = {}): Promise<OpenHandle[]> {
  let pids: string[];
  try {
    pids = (await readdir('/proc')).filter((name) => /^\d+$/.test(name) && Number(name) !== process.pid);
  } catch {
    return [];
  }
  const prefix = under.endsWith('/') ? under : under + '/';
  const inside = (p: string) => p === under || p.startsWith(prefix);
  const handles: OpenHandle[] = [];
  await Promise.all(
    pids.map(async (pid) => {
      if (opts.cwd) {
        const cwd = await readlink(`/proc/${pid}/cwd`).catch(() => undefined);
        if (cwd && inside(cwd)) handles.push({ path: cwd, pid: Number(pid), writable: false });
      }
      let fds: string[];
      try {
        fds = await readdir(`/proc/${pid}/fd`);
      } catch {
        return; // gone, or not ours to look at
      }
      for (const fd of fds) {
        const target = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => undefined);
        if (!target || !inside(target)) continue;
        const writable = await isWritable(pid, fd);
        if (opts.writableOnly && !writable) continue;
        handles.push({ path: target, pid: Number(pid), writable });
      }
    }),
  );
  return handles;
}

async function isWritable(pid: string, fd: string): Promise<boolean> {
  try {
    const info = await readFile(`/proc/${pid}/fdinfo/${fd}`, 'utf8');
    const flags = /^flags:\s*([0-7]+)/m.exec(info);
    return flags ? (parseInt(flags[1]!, 8) & O_ACCMODE) !== 0 : true;
  } catch {
    return false;
  }
}
