import { readdir, readFile, readlink } from 'node:fs/promises';

const O_ACCMODE = 0o3;

/**
 * Absolute paths under `under` that some other process holds open for writing, read from
 * /proc/<pid>/fd (Linux). Elsewhere, or where /proc is not readable, the set is empty and
 * callers fall back to the modification-time window.
 */
export async function openForWriting(under: string): Promise<Set<string>> {
  const open = new Set<string>();
  let pids: string[];
  try {
    pids = (await readdir('/proc')).filter((name) => /^\d+$/.test(name) && Number(name) !== process.pid);
  } catch {
    return open;
  }
  const prefix = under.endsWith('/') ? under : under + '/';
  await Promise.all(
    pids.map(async (pid) => {
      let fds: string[];
      try {
        fds = await readdir(`/proc/${pid}/fd`);
      } catch {
        return; // gone, or not ours to look at
      }
      for (const fd of fds) {
        let target: string;
        try {
          target = await readlink(`/proc/${pid}/fd/${fd}`);
        } catch {
          continue;
        }
        if (!target.startsWith(prefix) || open.has(target)) continue;
        if (await isWritable(pid, fd)) open.add(target);
      }
    }),
  );
  return open;
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
