import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { openFiles } from '../../live/openFiles.js';

/** Why a project counts as live: who holds its lock or its database. */
export interface Liveness {
  live: boolean;
  /** e.g. "flock on mnist.lock held by pid 4242"; empty when not live. */
  reasons: string[];
}

const SIDECARS = ['.db', '.db-wal', '.db-shm', '.db-journal', '.lock'];

/**
 * Which of `projects` are being written right now, from two Linux sources read once for all:
 * /proc/locks (a held flock on <project>.lock, or SQLite's own POSIX locks on <project>.db) and
 * /proc/<pid>/fd (the database open in another process). Locks are matched by inode alone: a rare
 * false "live" only makes repair ask for --force, the safe side. Where /proc is missing, nothing is live.
 */
export async function projectLiveness(dataDir: string, projects: string[]): Promise<Map<string, Liveness>> {
  const result = new Map<string, Liveness>(projects.map((p) => [p, { live: false, reasons: [] }]));
  const byInode = new Map<number, { project: string; file: string }>();
  const byPath = new Map<string, { project: string; file: string }>();
  for (const project of projects) {
    for (const suffix of SIDECARS) {
      const file = project + suffix;
      const abs = join(dataDir, file);
      byPath.set(abs, { project, file });
      const st = await stat(abs).catch(() => undefined);
      if (st) byInode.set(st.ino, { project, file });
    }
  }
  const note = (hit: { project: string; file: string }, reason: string): void => {
    const state = result.get(hit.project)!;
    state.live = true;
    if (!state.reasons.includes(reason)) state.reasons.push(reason);
  };
  for (const lock of await readLocks()) {
    const hit = byInode.get(lock.inode);
    if (hit && lock.pid !== process.pid) note(hit, `${lock.type === 'FLOCK' ? 'flock' : 'lock'} on ${hit.file} held by pid ${lock.pid}`);
  }
  for (const { pid, path } of await openFiles(dataDir)) {
    const hit = byPath.get(path);
    if (hit && !hit.file.endsWith('.lock')) note(hit, `${hit.file} open in pid ${pid}`);
  }
  return result;
}

/** True when a writer holds the project's lock or has its database open (see projectLiveness). */
export async function isProjectLive(dataDir: string, project: string): Promise<boolean> {
  return (await projectLiveness(dataDir, [project])).get(project)!.live;
}

interface HeldLock {
  type: string;
  pid: number;
  inode: number;
}

/** Lines of /proc/locks such as `1: FLOCK  ADVISORY  WRITE 4242 08:01:1234 0 EOF` (blocked waiters start with `->`). */
async function readLocks(): Promise<HeldLock[]> {
  let text: string;
  try {
    text = await readFile('/proc/locks', 'utf8');
  } catch {
    return [];
  }
  const locks: HeldLock[] = [];
  for (const line of text.split('\n')) {
    const fields = line.replace('->', '').trim().split(/\s+/);
    if (fields.length < 6) continue;
    const dev = fields[5]!.split(':');
    const pid = Number(fields[4]);
    const inode = Number(dev[2]);
    if (Number.isInteger(pid) && Number.isInteger(inode)) locks.push({ type: fields[1]!, pid, inode });
  }
  return locks;
}
