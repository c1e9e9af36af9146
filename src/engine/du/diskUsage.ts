import type { Dirent } from 'node:fs';
import { lstat, readdir, realpath } from 'node:fs/promises';
import { join } from 'node:path';
import { findSnapshots, treeSize } from '../backup/findSnapshots.js';
import { resolveBackupsDir } from '../backup/resolveBackupsDir.js';
import { isInside } from '../fs/isInside.js';
import { findDataDir } from '../layouts/findDataDir.js';
import { TOOL, VERSION } from '../version.js';

export interface RunUsage {
  run: string;
  bytes: number;
  /** metrics.jsonl */
  metrics: number;
  /** artifacts/** */
  artifacts: number;
  /** logs/** */
  logs: number;
  /** config.json, summary.json and anything else in the run. */
  other: number;
}

export interface DiskUsage {
  tool: string;
  version: string;
  command: 'du';
  dataDir: string;
  /** Largest first. */
  runs: RunUsage[];
  /** DIR/quarantine/ (repair moves damaged files there). */
  quarantine: number;
  /** Everything else in the data dir: its manifest, trackio-fsck's own state, pre-repair backups. */
  other: number;
  backupsDir: string;
  /** Bytes on disk of every snapshot in BACKUPS, each hard-linked file counted once: what they really cost. */
  backups: number;
  /** How many snapshots (and leftovers) that is. */
  snapshots: number;
  total: number;
}

export interface DiskUsageOptions {
  dest?: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

/**
 * The tutorial's disk-space section as one command: apparent size (the sum of file sizes, as
 * `du --apparent-size -sb`) per run split by kind, plus quarantine and the rest of the data dir;
 * the snapshots in BACKUPS are measured in disk blocks with hard links counted once, since their
 * apparent size would count every unchanged file once per snapshot. Never follows a symlink.
 */
export async function diskUsage(dir: string | undefined, options: DiskUsageOptions = {}): Promise<DiskUsage> {
  const cwd = options.cwd ?? process.cwd();
  const dataDir = await realpath(findDataDir(dir, { env: options.env, cwd }).dataDir);
  const backupsDir = resolveBackupsDir({ dest: options.dest, dataDir, cwd, env: options.env });
  const realBackups = await realpath(backupsDir).catch(() => backupsDir);
  const skip = isInside(dataDir, realBackups) ? realBackups : undefined;

  const runs: RunUsage[] = [];
  let runsOther = 0;
  for (const e of await readdir(join(dataDir, 'runs'), { withFileTypes: true })) {
    const abs = join(dataDir, 'runs', e.name);
    if (!e.isDirectory()) {
      runsOther += await apparentSize(abs);
      continue;
    }
    const usage: RunUsage = { run: e.name, bytes: 0, metrics: 0, artifacts: 0, logs: 0, other: 0 };
    for (const c of await readdir(abs, { withFileTypes: true })) {
      const size = await apparentSize(join(abs, c.name), skip);
      const kind = c.name === 'metrics.jsonl' ? 'metrics' : c.name === 'artifacts' && c.isDirectory() ? 'artifacts' : c.name === 'logs' && c.isDirectory() ? 'logs' : 'other';
      usage[kind] += size;
      usage.bytes += size;
    }
    runs.push(usage);
  }
  runs.sort((a, b) => b.bytes - a.bytes || (a.run < b.run ? -1 : 1));

  let quarantine = 0;
  let other = runsOther;
  for (const e of await readdir(dataDir, { withFileTypes: true })) {
    if (e.name === 'runs') continue;
    const size = await apparentSize(join(dataDir, e.name), skip);
    if (e.name === 'quarantine') quarantine += size;
    else other += size;
  }

  const snapshots = await findSnapshots(realBackups);
  const seen = new Set<string>();
  let backups = 0;
  for (const s of snapshots) backups += (await treeSize(s.path, seen)).diskBytes;
  const total = runs.reduce((n, r) => n + r.bytes, 0) + quarantine + other + backups;
  return { tool: TOOL, version: VERSION, command: 'du', dataDir, runs, quarantine, other, backupsDir: realBackups, backups, snapshots: snapshots.length, total };
}

/** Sum of the sizes of the regular files at or under `path`, symlinks not followed, `skip` left out. */
async function apparentSize(path: string, skip?: string): Promise<number> {
  if (path === skip) return 0;
  const st = await lstat(path).catch(() => undefined);
  if (!st) return 0;
  if (st.isFile()) return st.size;
  if (!st.isDirectory()) return 0;
  let entries: Dirent[];
  try {
    entries = await readdir(path, { withFileTypes: true });
  } catch {
    return 0;
  }
  let n = 0;
  for (const e of entries) n += await apparentSize(join(path, e.name), skip);
  return n;
}
