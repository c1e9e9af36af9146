import { realpath } from 'node:fs/promises';
import { readNames } from '../fs/walkTree.js';
import { join } from 'node:path';
import { findSnapshots, treeSize } from '../backup/findSnapshots.js';
import { resolveBackupsDir } from '../backup/resolveBackupsDir.js';
import { isInside } from '../fs/isInside.js';
import { apparentSize } from '../fs/apparentSize.js';
import { QUARANTINE_DIR } from '../fs/ownNames.js';
import { findDataDir } from '../layouts/findDataDir.js';
import { layoutNamed } from '../layouts/index.js';
import type { LayoutName } from '../layouts/Layout.js';
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

/** A Trackio project (the SQLite layout's unit): its database, -wal/-shm/-journal, media, artifact blobs, parquet sidecars. */
export interface ProjectUsage {
  project: string;
  bytes: number;
  database: number;
  wal: number;
  media: number;
  artifacts: number;
  parquet: number;
}

export interface DiskUsage {
  tool: string;
  version: string;
  command: 'du';
  dataDir: string;
  layout: LayoutName;
  /** Run-directory layout: runs, largest first (empty in Trackio's layout). */
  runs: RunUsage[];
  /** Trackio's layout: projects, largest first (empty in the run-directory layout). */
  projects: ProjectUsage[];
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
  const found = findDataDir(dir, { env: options.env, cwd });
  const dataDir = await realpath(found.dataDir);
  const layout = layoutNamed(found.layout);
  const backupsDir = resolveBackupsDir({ dest: options.dest, dataDir, cwd, env: options.env });
  const realBackups = await realpath(backupsDir).catch(() => backupsDir);
  const skip = isInside(dataDir, realBackups) ? realBackups : undefined;

  const units = (await layout.diskUsage(dataDir, skip)).sort((a, b) => b.bytes - a.bytes || (a.unit < b.unit ? -1 : 1));
  const runs: RunUsage[] = [];
  const projects: ProjectUsage[] = [];
  for (const u of units) {
    if (layout.unitNoun === 'run') runs.push({ run: u.unit, bytes: u.bytes, metrics: 0, artifacts: 0, logs: 0, other: 0, ...u.parts });
    else projects.push({ project: u.unit, bytes: u.bytes, database: 0, wal: 0, media: 0, artifacts: 0, parquet: 0, ...u.parts });
  }
  const unitBytes = units.reduce((n, u) => n + u.bytes, 0);

  // Everything else: quarantine on its own, the rest (manifest, own state, files beside the units) as other.
  let quarantine = 0;
  let all = 0;
  for (const name of readNames(dataDir)) {
    const size = await apparentSize(join(dataDir, name), skip);
    if (name === QUARANTINE_DIR) quarantine += size;
    else all += size;
  }
  const other = Math.max(0, all - unitBytes);

  const snapshots = await findSnapshots(realBackups);
  const seen = new Set<string>();
  let backups = 0;
  for (const s of snapshots) backups += (await treeSize(s.path, seen)).diskBytes;
  const total = unitBytes + quarantine + other + backups;
  return { tool: TOOL, version: VERSION, command: 'du', dataDir, layout: layout.name, runs, projects, quarantine, other, backupsDir: realBackups, backups, snapshots: snapshots.length, total };
}
