import { existsSync, readdirSync, statSync } from 'node:fs';
import { chmod, mkdir, realpath, rename, rm, symlink } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { FsckError } from '../errors.js';
import { fsyncDir } from '../fs/fsyncDir.js';
import { isInside } from '../fs/isInside.js';
import { findDataDir } from '../layouts/findDataDir.js';
import { LAYOUTS } from '../layouts/index.js';
import { EXIT } from '../report.js';
import { TOOL, VERSION } from '../version.js';
import { copyFileInto } from './copyFileInto.js';
import { faultPoint } from '../fs/faultPoint.js';
import { forEachConcurrently } from '../forEachConcurrently.js';
import { openFilesUnder, type OpenFile } from './openFilesUnder.js';
import { readSnapshotManifest } from './readSnapshotManifest.js';
import { readSnapshotMeta } from './SnapshotMeta.js';
import { readSnapshotIndex } from './snapshotIndex.js';
import { syncTree } from './syncTree.js';
import { requireBackupsDir, resolveBackupsDir } from './resolveBackupsDir.js';
import { fsPath } from '../fs/pathBytes.js';
import { findRestoreLeftovers, READY_SUFFIX, settleRestoreLeftovers, stagingName, type RestoreLeftover } from './restoreLeftovers.js';
import { INCOMPLETE_PREFIX, INDEX_FILE, snapshotName, SNAPSHOT_PREFIX, toDataPath } from './snapshotLayout.js';
import { verifySnapshot, type SnapshotVerification } from './verifySnapshot.js';
import { commandLine } from '../commandLine.js';

export interface RestoreOptions {
  /** BACKUPS, where a snapshot given by name is looked up (default $TRACKIO_FSCK_BACKUPS, else trackio_backups beside the data dir). */
  dest?: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

export interface RestorePlan {
  snapshot: { name: string; path: string; source: string | null; createdAt: string | null };
  /** Where the snapshot goes (absolute). */
  dataDir: string;
  /** Where the current data will be moved (never deleted); null when there is no current data. */
  aside: string | null;
  verification: SnapshotVerification;
  /** Files of the data dir other processes hold open: restore refuses unless forced. */
  openFiles: OpenFile[];
  /** BACKUPS lies inside the data dir at this relative path: it is moved back after the swap. */
  backupsInside: string | null;
  /** Folders left by killed restores into this data dir: applyRestore finishes or removes them first. */
  leftovers: RestoreLeftover[];
}

export interface RestoreResult {
  tool: string;
  version: string;
  command: 'restore';
  snapshot: string;
  dataDir: string;
  aside: string | null;
  files: number;
  bytes: number;
  symlinks: number;
  /** A partial snapshot: what it lacks (the backup could not read it), so the restored data lacks it too. */
  lacks?: { count: number; paths: string[] };
  /** What was done with the leftovers of killed restores. */
  leftovers: string[];
  /** 0, or 4 when the snapshot was partial. */
  exitCode: number;
}

/**
 * Everything restore would do, decided and checked but nothing changed: the snapshot is found and
 * re-hashed against its manifest, the target found, the aside name chosen, open files listed.
 */
export async function planRestore(snapshot: string, dir: string | undefined, options: RestoreOptions = {}): Promise<RestorePlan> {
  const cwd = options.cwd ?? process.cwd();
  const snapPath = await findSnapshotDir(snapshot, () => backupsDirFor(dir, options, cwd), cwd);
  const meta = await readSnapshotMeta(snapPath);
  const name = basename(snapPath);
  const dataDir = await restoreTarget(dir, name, meta?.source, cwd, options.env);
  if (isInside(snapPath, dataDir)) throw new FsckError(`cannot restore ${name} into a folder inside itself (${dataDir})`, EXIT.usage);
  let exists = existsSync(dataDir);
  const leftovers = findRestoreLeftovers(dataDir, exists);
  // A finished leftover puts data back where the restore will find it: it is moved aside like any data.
  if (leftovers.some((l) => l.action === 'finish')) exists = true;
  const verification = await verifySnapshot(snapPath);
  const backupsInside = exists && isInside(dataDir, snapPath) ? relative(dataDir, dirname(snapPath)) : null;
  return {
    snapshot: { name, path: snapPath, source: meta?.source ?? null, createdAt: meta?.createdAt ?? null },
    dataDir,
    aside: exists ? freeName(`${dataDir}.before-restore-${stamp()}`) : null,
    verification,
    openFiles: exists ? await openFilesUnder(dataDir) : [],
    backupsInside,
    leftovers,
  };
}

/**
 * Restores a planned snapshot: refuses a damaged one (exit 4) and, unless `force`, a data dir that
 * another process holds files of (exit 8). The snapshot is copied, every file verified against the
 * manifest's hash, into a staging folder beside the data dir; only then the current data is renamed
 * aside and the staging folder renamed into place. A crash before the swap changes nothing; between
 * the two renames (a moment) both copies are whole, under the aside and staging names.
 */
export async function applyRestore(plan: RestorePlan, options: { force?: boolean } = {}): Promise<RestoreResult> {
  if (!plan.verification.ok) throw new FsckError(`snapshot ${plan.snapshot.name} is damaged (${plan.verification.errors} problems; see backups verify): refusing to restore it`, EXIT.uncorrected);
  if (plan.aside && !options.force) {
    // A repair or undo running now writes by absolute paths: moving the data dir from under it would let it write into the restored data.
    const { liveLockOwner } = await import('../repair/RepairLock.js');
    const repair = await liveLockOwner(plan.dataDir);
    if (repair) {
      throw new FsckError(`${plan.dataDir} is being repaired (${repair.command}, pid ${repair.pid} on ${repair.host}, since ${repair.started}): wait for it to finish, or use --force. Nothing was changed.`, EXIT.operational);
    }
    // A unit a writer holds (a flock on a Trackio <project>.lock, an open database, a metrics file open for writing).
    for (const layout of LAYOUTS) {
      if (!layout.locate(plan.dataDir)) continue;
      const live = await layout.liveUnits(plan.dataDir);
      if (live.length > 0) {
        throw new FsckError(`${layout.unitNoun} ${live[0]!.unit} of ${plan.dataDir} is being written (${live[0]!.reasons.join('; ')})${live.length > 1 ? `, and ${live.length - 1} more` : ''}: stop the writer or use --force. Nothing was changed.`, EXIT.operational);
      }
    }
  }
  await settleRestoreLeftovers(plan.dataDir, plan.leftovers);
  const open = plan.aside ? await openFilesUnder(plan.dataDir) : [];
  if (open.length > 0 && !options.force) {
    throw new FsckError(`${open.length} file(s) of ${plan.dataDir} are open in other processes (pid ${[...new Set(open.flatMap((o) => o.pids))].join(', ')}), e.g. ${open[0]!.path}; stop them (the dashboard, a training run) or use --force`, EXIT.operational);
  }
  const parent = dirname(plan.dataDir);
  await mkdir(parent, { recursive: true });
  const staging = stagingName(plan.dataDir, process.pid);
  const ready = staging + READY_SUFFIX;
  await rm(staging, { recursive: true, force: true });
  let copied: { files: number; bytes: number; symlinks: number };
  try {
    copied = await copyOut(plan.snapshot.path, staging);
    // Whole and durable: a restore killed from here on is finished by the next one, not thrown away.
    await rename(staging, ready);
    await fsyncDir(parent);
  } catch (err) {
    await rm(staging, { recursive: true, force: true }).catch(() => {});
    throw err;
  }
  faultPoint('restore-before-swap');
  if (plan.aside) await rename(plan.dataDir, plan.aside);
  faultPoint('restore-moved-aside');
  await rename(ready, plan.dataDir);
  await fsyncDir(parent);
  if (plan.aside && plan.backupsInside) {
    // The snapshots lived inside the old data dir; they belong beside the data, not in the aside copy.
    await mkdir(dirname(join(plan.dataDir, plan.backupsInside)), { recursive: true });
    await rename(join(plan.aside, plan.backupsInside), join(plan.dataDir, plan.backupsInside));
    await fsyncDir(dirname(join(plan.dataDir, plan.backupsInside)));
  }
  const lacks = plan.verification.lacks;
  return {
    tool: TOOL,
    version: VERSION,
    command: 'restore',
    snapshot: plan.snapshot.name,
    dataDir: plan.dataDir,
    aside: plan.aside,
    ...copied,
    ...(lacks ? { lacks } : {}),
    leftovers: plan.leftovers.map((l) => l.message),
    exitCode: lacks ? EXIT.uncorrected : EXIT.clean,
  };
}

/** Copies the snapshot's data (not its own records) into a new folder, verified file by file. */
async function copyOut(snapPath: string, staging: string): Promise<{ files: number; bytes: number; symlinks: number }> {
  const manifest = await readSnapshotManifest(snapPath);
  if (!manifest) throw new FsckError(`${snapPath} has no manifest`);
  // A snapshot of ours without a trustworthy index would come back without its links and empty folders (verify reports it).
  const index = (await readSnapshotIndex(snapPath)) ?? ((await readSnapshotMeta(snapPath)) ? undefined : []);
  if (!index) throw new FsckError(`${snapPath} has no readable index (${INDEX_FILE}): refusing to restore a snapshot that would come back incomplete`, EXIT.uncorrected);
  await mkdir(staging, { mode: 0o700 });
  const dirs = index.filter((e) => e.t === 'd');
  for (const d of dirs) await mkdir(fsPath(join(staging, d.p)), { recursive: true, mode: 0o700 });
  let files = 0;
  let bytes = 0;
  const written: string[] = [];
  await forEachConcurrently(manifest.entries, 8, async (e) => {
    const dst = join(staging, toDataPath(e.path));
    await mkdir(fsPath(dirname(dst)), { recursive: true });
    const copy = await copyFileInto(join(snapPath, e.path), dst, e.sha256, { fsync: false });
    written.push(dst);
    faultPoint('restore-file', e.path);
    files++;
    bytes += copy.size;
  });
  let symlinks = 0;
  for (const e of index) {
    if (e.t !== 'l') continue;
    await mkdir(fsPath(dirname(join(staging, e.p))), { recursive: true });
    await symlink(fsPath(e.target), fsPath(join(staging, e.p)));
    symlinks++;
  }
  const rootMode = statSync(snapPath).mode & 0o7777;
  // Modes last: a read-only directory must first be filled.
  const deepestFirst = [...dirs].sort((a, b) => b.p.split('/').length - a.p.split('/').length);
  for (const d of deepestFirst) await chmod(fsPath(join(staging, d.p)), d.mode);
  await chmod(staging, rootMode);
  await syncTree(staging, written, [staging, ...dirs.map((d) => join(staging, d.p))]);
  return { files, bytes, symlinks };
}

/** BACKUPS beside the data dir restore works on (when one is found), as backup put it. */
function backupsDirFor(dir: string | undefined, options: RestoreOptions, cwd: string): string {
  let dataDir: string | undefined;
  try {
    dataDir = findDataDir(dir, { env: options.env, cwd }).dataDir;
  } catch {
    dataDir = dir === undefined ? undefined : resolve(cwd, dir);
  }
  return resolveBackupsDir({ dest: options.dest, dataDir, cwd, env: options.env });
}

async function findSnapshotDir(snapshot: string, backupsDirOf: () => string, cwd: string): Promise<string> {
  const given = resolve(cwd, snapshot);
  // A snapshot given as a path needs no BACKUPS; a name is looked up there.
  const backupsDir = isDir(given) ? '' : backupsDirOf();
  const candidates = backupsDir ? [given, join(backupsDir, snapshot)] : [given];
  const found = candidates.find((p) => isDir(p));
  // A name looked up in a BACKUPS that is not there: say so, not "no snapshot".
  if (!found && backupsDir && !isDir(backupsDir)) requireBackupsDir(backupsDir);
  if (!found) throw new FsckError(`no snapshot ${snapshot} (looked for ${candidates.join(' and ')}); see ${commandLine('backups', 'list', '--dest', backupsDir || dirname(given))}`);
  if (basename(found).startsWith(INCOMPLETE_PREFIX)) throw new FsckError(`${basename(found)} is the leftover of an interrupted backup, not a snapshot: refusing to restore it`, EXIT.uncorrected);
  return realpath(found);
}

async function restoreTarget(dir: string | undefined, name: string, source: string | undefined, cwd: string, env?: NodeJS.ProcessEnv): Promise<string> {
  if (dir === undefined) {
    try {
      return await realpath(findDataDir(undefined, { env, cwd }).dataDir);
    } catch {
      throw new FsckError(`no data dir found to restore into; name it: ${commandLine('restore', name)} DIR${source ? ` (this snapshot was taken of ${source})` : ''}`, EXIT.usage);
    }
  }
  const abs = resolve(cwd, dir);
  if (!existsSync(abs)) return abs;
  const real = await realpath(abs);
  if (isDir(real) && readdirSync(real).length === 0) return real;
  // Restore moves the whole folder aside, so it must really hold data of a layout (a project root
  // holding some notes.db is not a Trackio data dir).
  for (const layout of LAYOUTS) {
    const dataDir = layout.locate(real);
    if (dataDir && (await layout.holdsData(dataDir))) return dataDir;
  }
  throw new FsckError(`${abs} exists and is not a trackio data dir (no runs/ and no <project>.db inside): refusing to move it aside. Name the data dir itself, or a path that does not exist yet.`, EXIT.usage);
}


function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function stamp(): string {
  return snapshotName(new Date()).slice(SNAPSHOT_PREFIX.length);
}

function freeName(base: string): string {
  if (!existsSync(base)) return base;
  for (let i = 2; ; i++) if (!existsSync(`${base}-${i}`)) return `${base}-${i}`;
}
