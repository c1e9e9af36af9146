import { mkdir, readdir, realpath, rename, rm, stat, symlink } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { FsckError } from '../errors.js';
import { faultPoint } from '../fs/faultPoint.js';
import { fsyncDir } from '../fs/fsyncDir.js';
import { isSafeRelPath } from '../fs/safePath.js';
import { QUARANTINE_DIR, STATE_DIR } from '../fs/ownNames.js';
import { DEFAULT_LIVE_WINDOW_MS } from '../defaults.js';
import { findDataDir } from '../layouts/findDataDir.js';
import { layoutNamed } from '../layouts/index.js';
import { rerecordFiles } from '../manifest/rerecordFiles.js';
import { EXIT } from '../report.js';
import { liveLockOwner, pidAlive } from '../repair/RepairLock.js';
import { ensureStateDir, mkdirDurable } from '../repair/stateDir.js';
import { TOOL, VERSION } from '../version.js';
import { copyFileInto } from './copyFileInto.js';
import { readSnapshotIndex } from './snapshotIndex.js';
import { readSnapshotManifest } from './readSnapshotManifest.js';
import { requireBackupsDir, resolveBackupsDir } from './resolveBackupsDir.js';
import { INCOMPLETE_PREFIX, toDataPath } from './snapshotLayout.js';

export interface RestoreRunOptions {
  dest?: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Restore even when the run looks live. */
  force?: boolean;
  /** See CheckOptions.liveWindowMs. */
  liveWindowMs?: number;
}

export interface RestoreRunResult {
  tool: string;
  version: string;
  command: 'restore';
  snapshot: string;
  dataDir: string;
  /** The run id (run-directory layout) or project (Trackio's SQLite layout) brought back. */
  run: string;
  /** Where the version it replaced now lies, relative to the data dir; null when there was none. */
  aside: string | null;
  files: number;
  bytes: number;
  exitCode: number;
}

/**
 * `restore SNAPSHOT --run ID`: brings back one run (runs/ID, or one project's <ID>.db in Trackio's
 * layout) and touches nothing else. Every file is copied from the snapshot and checked against the
 * snapshot manifest's SHA-256 into a staging folder inside the data dir's own state; only then the
 * current version moves to quarantine/before-restore-<time>/ (never deleted) and the copy is renamed
 * into place. Refused while the run is live. The manifest, when there is one, records the result.
 */
export async function restoreRun(snapshot: string, dir: string | undefined, id: string, options: RestoreRunOptions = {}): Promise<RestoreRunResult> {
  const cwd = options.cwd ?? process.cwd();
  if (!isSafeRelPath(id) || id.includes('/')) throw new FsckError(`--run ${JSON.stringify(id)} is not a run id`, EXIT.usage);
  const found = findDataDir(dir, { env: options.env, cwd });
  const realDataDir = await realpath(found.dataDir);
  const snapPath = await snapshotPath(snapshot, realDataDir, options, cwd);
  const name = basename(snapPath);
  const manifest = await readSnapshotManifest(snapPath);
  if (!manifest) throw new FsckError(`${snapPath} has no manifest: cannot restore from it`, EXIT.operational);

  const layout = layoutNamed(found.layout);
  // A run is a folder; a Trackio project is one database file (its -wal/-shm move with it).
  const { rel: unit, isFile: single } = layout.unitRoot(id);
  const entries = manifest.entries.filter((e) => (single ? toDataPath(e.path) === unit : e.path.startsWith(`${unit}/`)));
  if (entries.length === 0) throw new FsckError(`snapshot ${name} holds no ${layout.unitNoun} ${id} (${single ? unit : `${unit}/`}); see trackio-fsck backups diff or backups list`, EXIT.operational);

  const target = join(realDataDir, unit);
  if (!options.force) {
    await refuseRepairing(realDataDir);
    await layout.refuseLiveUnit(realDataDir, id, options.liveWindowMs ?? DEFAULT_LIVE_WINDOW_MS);
  }

  // Staging inside the data dir: the final renames stay on one file system.
  await ensureStateDir(realDataDir);
  await removeDeadStagings(join(realDataDir, STATE_DIR));
  const staging = join(realDataDir, STATE_DIR, `${STAGING_PREFIX}${process.pid}`);
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { recursive: true });
  let files = 0;
  let bytes = 0;
  try {
    const staged = join(staging, basename(unit));
    // A path of the unit (`runs/ID/...`) in the staging folder: the same path below `runs/`.
    const inStaging = (p: string) => join(staging, p.slice(`${dirname(unit)}/`.length));
    if (!single) {
      // Folders (empty ones too) and links of the run, from the snapshot's index.
      for (const e of (await readSnapshotIndex(snapPath)) ?? []) {
        if (!e.p.startsWith(`${unit}/`)) continue;
        const dst = inStaging(e.p);
        if (e.t === 'd') await mkdir(dst, { recursive: true });
        else if (e.t === 'l') {
          await mkdir(dirname(dst), { recursive: true });
          await symlink(e.target, dst);
        }
      }
      await mkdir(staged, { recursive: true });
    }
    for (const e of entries) {
      const dst = single ? staged : inStaging(e.path);
      await mkdir(dirname(dst), { recursive: true });
      const copy = await copyFileInto(join(snapPath, e.path), dst, e.sha256, { fsync: true });
      files++;
      bytes += copy.size;
      faultPoint('restore-file', e.path);
    }
    await fsyncTree(staging);
    faultPoint('restore-before-swap');

    // The current version moves aside (never deleted), then the verified copy takes its place.
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    const asideRel = `${QUARANTINE_DIR}/before-restore-${stamp}/${unit}`;
    const present = await layout.unitFamily(realDataDir, id);
    let aside: string | null = null;
    if (present.length > 0) {
      const asideDir = await mkdirDurable(realDataDir, dirname(asideRel));
      for (const rel of present) await rename(join(realDataDir, rel), join(asideDir, basename(rel)));
      await fsyncDir(asideDir);
      aside = asideRel;
      // Killed here, the unit is gone from its place until `restore --run` runs again (and copies
      // afresh); the old version is whole in quarantine/.
      faultPoint('restore-moved-aside');
    } else if (!single) await mkdir(dirname(target), { recursive: true });
    await rename(staged, target);
    await fsyncDir(dirname(target));
    const restored = entries.map((e) => toDataPath(e.path));
    await rerecordFiles(realDataDir, [unit, ...restored, ...present]);
    return { tool: TOOL, version: VERSION, command: 'restore', snapshot: name, dataDir: realDataDir, run: id, aside, files, bytes, exitCode: EXIT.clean };
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

async function snapshotPath(snapshot: string, realDataDir: string, options: RestoreRunOptions, cwd: string): Promise<string> {
  const given = resolve(cwd, snapshot);
  const isDir = async (p: string) => (await stat(p).catch(() => undefined))?.isDirectory() ?? false;
  let path = given;
  if (!(await isDir(given))) {
    const backupsDir = requireBackupsDir(resolveBackupsDir({ dest: options.dest, dataDir: realDataDir, cwd, env: options.env }));
    path = join(backupsDir, snapshot);
    if (!(await isDir(path))) throw new FsckError(`no snapshot ${snapshot} in ${backupsDir}; see trackio-fsck backups list`, EXIT.operational);
  }
  if (basename(path).startsWith(INCOMPLETE_PREFIX)) throw new FsckError(`${basename(path)} is the leftover of an interrupted backup, not a snapshot: refusing to restore from it`, EXIT.uncorrected);
  return realpath(path);
}

/** A run (or project) someone is writing is not swapped from under them. */
async function refuseRepairing(realDataDir: string): Promise<void> {
  const repair = await liveLockOwner(realDataDir);
  if (repair) throw new FsckError(`${realDataDir} is being repaired (${repair.command}, pid ${repair.pid}): wait for it, or use --force. Nothing was changed.`, EXIT.operational);
}

const STAGING_PREFIX = 'restoring-';

/** Staging folders of `restore --run`s that were killed (their pid is gone): only copies of a snapshot, removed. */
async function removeDeadStagings(stateDir: string): Promise<void> {
  for (const name of await readdir(stateDir)) {
    const pid = /^restoring-(\d+)$/.exec(name)?.[1];
    if (pid && Number(pid) !== process.pid && !pidAlive(Number(pid))) await rm(join(stateDir, name), { recursive: true, force: true });
  }
}

async function fsyncTree(dir: string): Promise<void> {
  for (const e of await readdir(dir, { withFileTypes: true })) if (e.isDirectory()) await fsyncTree(join(dir, e.name));
  await fsyncDir(dir);
}
