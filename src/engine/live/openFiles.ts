import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

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
  // Synchronous: a few hundred processes hold a few thousand descriptors, and a promise per
  // readlink cost 2-3 times what the readlink does (the pre-commit hook pays this on every commit).
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name) && Number(name) !== process.pid);
  } catch {
    return [];
  }
  const prefix = under.endsWith('/') ? under : under + '/';
  const inside = (p: string) => p === under || p.startsWith(prefix);
  const handles: OpenHandle[] = [];
  for (const pid of pids) {
    if (opts.cwd) {
      const cwd = readlinkOrUndefined(`/proc/${pid}/cwd`);
      if (cwd && inside(cwd)) handles.push({ path: cwd, pid: Number(pid), writable: false });
    }
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue; // gone, or not ours to look at
    }
    for (const fd of fds) {
      const target = readlinkOrUndefined(`/proc/${pid}/fd/${fd}`);
      if (!target || !inside(target)) continue;
      const writable = isWritable(pid, fd);
      if (opts.writableOnly && !writable) continue;
      handles.push({ path: target, pid: Number(pid), writable });
    }
  }
  return handles;
}

function readlinkOrUndefined(path: string): string | undefined {
  try {
    return readlinkSync(path);
  } catch {
    return undefined;
  }
}

function isWritable(pid: string, fd: string): boolean {
  try {
    const info = readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'utf8');
    const flags = /^flags:\s*([0-7]+)/m.exec(info);
    return flags ? (parseInt(flags[1]!, 8) & O_ACCMODE) !== 0 : true;
  } catch {
    return false;
  }
}
