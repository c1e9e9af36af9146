import { lstatSync } from 'node:fs';
import { realpath } from 'node:fs/promises';
import { fsPath } from '../fs/pathBytes.js';
import { readNames, walkTree } from '../fs/walkTree.js';
import { join, resolve } from 'node:path';
import { findSnapshots, treeSize } from '../backup/findSnapshots.js';
import { DEFAULT_BACKUPS_DIR } from '../backup/snapshotLayout.js';
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
  const backupsDir = resolve(cwd, options.dest ?? DEFAULT_BACKUPS_DIR);
  const realBackups = await realpath(backupsDir).catch(() => backupsDir);
  const skip = isInside(dataDir, realBackups) ? realBackups : undefined;

  const runs: RunUsage[] = [];
  let runsOther = 0;
  // walkTree: lstat only, no link followed (runs/ itself included), names exact.
  const runsDir = join(dataDir, 'runs');
  const runsIsDir = lstatSync(runsDir, { throwIfNoEntry: false })?.isDirectory() ?? false;
  for (const name of runsIsDir ? readNames(runsDir) : []) {
    const abs = join(runsDir, name);
    if (!lstatSync(fsPath(abs), { throwIfNoEntry: false })?.isDirectory()) {
      runsOther += apparentSize(abs);
      continue;
    }
    const usage: RunUsage = { run: name, bytes: 0, metrics: 0, artifacts: 0, logs: 0, other: 0 };
    for (const c of readNames(abs)) {
      const size = apparentSize(join(abs, c), skip);
      const isDir = lstatSync(fsPath(join(abs, c)), { throwIfNoEntry: false })?.isDirectory() ?? false;
      const kind = c === 'metrics.jsonl' ? 'metrics' : c === 'artifacts' && isDir ? 'artifacts' : c === 'logs' && isDir ? 'logs' : 'other';
      usage[kind] += size;
      usage.bytes += size;
    }
    runs.push(usage);
  }
  runs.sort((a, b) => b.bytes - a.bytes || (a.run < b.run ? -1 : 1));

  let quarantine = 0;
  let other = runsOther;
  for (const name of readNames(dataDir)) {
    if (name === 'runs') continue;
    const size = apparentSize(join(dataDir, name), skip);
    if (name === 'quarantine') quarantine += size;
    else other += size;
  }

  const snapshots = await findSnapshots(realBackups);
  const seen = new Set<string>();
  let backups = 0;
  for (const s of snapshots) backups += (await treeSize(s.path, seen)).diskBytes;
  const total = runs.reduce((n, r) => n + r.bytes, 0) + quarantine + other + backups;
  return { tool: TOOL, version: VERSION, command: 'du', dataDir, runs, quarantine, other, backupsDir: realBackups, backups, snapshots: snapshots.length, total };
}

/** Sum of the sizes of the regular files at or under `path` (walkTree: symlinks not followed), `skip` left out. */
function apparentSize(path: string, skip?: string): number {
  if (path === skip) return 0;
  const st = lstatSync(fsPath(path), { throwIfNoEntry: false });
  if (!st) return 0;
  if (st.isFile()) return st.size;
  if (!st.isDirectory()) return 0;
  let n = 0;
  for (const e of walkTree(path, { skip: (rel) => skip !== undefined && join(path, rel) === skip })) if (e.kind === 'file') n += e.stat.size;
  return n;
}
