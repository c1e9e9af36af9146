import { chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { mkdir, realpath, rename, rm, stat, symlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { fsPath, pathBytes } from '../fs/pathBytes.js';
import { NotRegularFileError } from '../fs/openRegularFile.js';
import { FsckError } from '../errors.js';
import type { Finding } from '../finding.js';
import { fsyncDir } from '../fs/fsyncDir.js';
import { isInside } from '../fs/isInside.js';
import { findDataDir } from '../layouts/findDataDir.js';
import { layoutNamed } from '../layouts/index.js';
import { makeFinding } from '../makeFinding.js';
import { formatSha256sumLine } from '../manifest/sha256sumLine.js';
import { countSeverities, EXIT } from '../report.js';
import { TOOL, VERSION } from '../version.js';
import { lockBackups } from './backupsLock.js';
import { copySnapshotFile, type SnapshotFileCopy, type SourceStat } from './copySnapshotFile.js';
import { CopyThread, LARGE_FILE } from './CopyThread.js';
import { isRacy, linkFromPrevious } from './linkFromPrevious.js';
import { describeIoError } from '../fs/describeIoError.js';
import { faultPoint } from '../fs/faultPoint.js';
import { findSnapshots, newestGood } from './findSnapshots.js';
import { pruneSnapshots, type PruneResult } from './pruneSnapshots.js';
import { snapshotMetaText, type SnapshotMeta } from './SnapshotMeta.js';
import { readSnapshotIndex, type FileIndexEntry, type IndexEntry } from './snapshotIndex.js';
import { validatePolicy, type RetentionPolicy } from './retentionPolicy.js';
import { resolveBackupsDir } from './resolveBackupsDir.js';
import { INCOMPLETE_PREFIX, INDEX_FILE, MANIFEST_FILE, META_FILE, snapshotName, toSnapshotPath } from './snapshotLayout.js';
import { syncTree } from './syncTree.js';
import { runOf, walkDataDir, type DataEntry } from './walkDataDir.js';

export interface BackupOptions {
  /** BACKUPS, the folder holding snapshots (default $TRACKIO_FSCK_BACKUPS, else trackio_backups beside the data dir). */
  dest?: string;
  /** After a successful backup, prune to the N newest snapshots. */
  keep?: number;
  /** After a successful backup, prune by these rules too (--keep-daily/weekly/monthly; united with keep). */
  retention?: Omit<RetentionPolicy, 'last'>;
  /** No longer used: files are copied on synchronous calls, the large ones also on a copy thread (CopyThread); kept so callers that pass it still compile. */
  concurrency?: number;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Snapshot even while a repair or undo holds the data dir (the snapshot may hold a half-repaired state). */
  force?: boolean;
}

export type BackupEvent =
  | { type: 'start'; dataDir: string; snapshot: string; files: number; bytes: number; linkedFrom: string | null }
  | { type: 'file'; path: string; bytes: number; linked: boolean }
  | { type: 'finding'; finding: Finding };

export interface BackupSummary {
  files: number;
  bytes: number;
  copied: number;
  copiedBytes: number;
  linked: number;
  linkedBytes: number;
  symlinks: number;
  dirs: number;
  errors: number;
  warnings: number;
  durationMs: number;
}

export interface BackupResult {
  tool: string;
  version: string;
  command: 'backup';
  dataDir: string;
  backupsDir: string;
  snapshot: { name: string; path: string };
  /** The snapshot unchanged files were hard-linked from. */
  linkedFrom: string | null;
  summary: BackupSummary;
  findings: Finding[];
  pruned: PruneResult | null;
  /** Paths of the data dir the snapshot lacks (unreadable): it is marked partial. */
  lacks?: { count: number; paths: string[] };
  /** 0, or 4 when a file could not be read and is missing from the snapshot, or a link leads out of the data dir. */
  exitCode: number;
}

/**
 * Snapshots the data dir into BACKUPS/trackio_backup_YYYYMMDD_HHMMSS (UTC), as rsync --link-dest
 * would: built under BACKUPS/.incomplete-<name>, every copied file read back and matched against
 * the hash taken while reading the source, files unchanged since the newest good snapshot
 * hard-linked, a sha256sum manifest written, everything fsynced, then renamed into place.
 */
export async function backup(dir: string | undefined, options: BackupOptions = {}, onEvent?: (e: BackupEvent) => void): Promise<BackupResult> {
  const started = performance.now();
  const cwd = options.cwd ?? process.cwd();
  const found = findDataDir(dir, { env: options.env, cwd });
  const realDataDir = await realpath(found.dataDir);
  const backupsDir = resolveBackupsDir({ dest: options.dest, dataDir: realDataDir, cwd, env: options.env });
  const policy: RetentionPolicy = { ...options.retention, last: options.keep };
  const prunes = Object.values(policy).some((v) => v !== undefined);
  if (prunes) validatePolicy(policy);
  // Judged before anything is created: a refused --dest must not leave a folder in a run behind.
  refuseDestInsideData(realDataDir, await realpathOfNearest(backupsDir), backupsDir);
  await mkdir(backupsDir, { recursive: true });
  const realBackups = await realpath(backupsDir);
  if (isInside(realBackups, realDataDir)) throw new FsckError(`the data dir ${realDataDir} lies inside BACKUPS ${realBackups}: choose another --dest`, EXIT.usage);
  refuseDestInsideData(realDataDir, realBackups, backupsDir);
  // Backup and repair exclude each other for their whole run: a snapshot taken while a repair
  // changes files one by one would look complete and hold a half-repaired state (and a repair
  // started during a backup would be half in it). Both hold DIR/.trackio-fsck/lock.
  const repairLock = await takeRepairLock(realDataDir, options.force ?? false);

  const findings: Finding[] = [];
  const emit = (finding: Finding): void => {
    findings.push(finding);
    onEvent?.({ type: 'finding', finding });
  };

  let unlock: (() => Promise<void>) | undefined;
  let tmp: string | undefined;
  let copyThread: CopyThread | undefined;
  try {
    unlock = await lockBackups(realBackups);
    const startedAt = await freeSecond(realBackups);
    const name = snapshotName(startedAt);
    const previous = newestGood(await findSnapshots(realBackups));
    const previousFiles = new Map<string, FileIndexEntry>();
    for (const e of (previous && (await readSnapshotIndex(previous.path))) ?? []) if (e.t === 'f') previousFiles.set(e.p, e);

    tmp = join(realBackups, `${INCOMPLETE_PREFIX}${name}-${process.pid}`);
    await mkdir(tmp);
    const excluded = isInside(realDataDir, realBackups) ? [realBackups] : [];
    const entries = await walkDataDir(realDataDir, excluded, emit);
    // The layout says how each file is copied: its bytes, or (a Trackio <project>.db) through SQLite's backup API.
    const layout = layoutNamed(found.layout);
    const roles = layout.snapshotRoles(entries.filter((e) => e.kind === 'file').map((e) => e.rel));
    const files = entries.filter((e): e is Extract<DataEntry, { kind: 'file' }> => e.kind === 'file' && roles.get(e.rel) !== 'leave-out');
    onEvent?.({ type: 'start', dataDir: realDataDir, snapshot: name, files: files.length, bytes: files.reduce((n, f) => n + f.stat.size, 0), linkedFrom: previous?.name ?? null });

    const index: IndexEntry[] = [];
    const dirs: string[] = [tmp];
    for (const e of entries) {
      if (e.kind !== 'dir') continue;
      // Owner-writable while it is built and ever after, so prune can always delete it; restore applies the recorded mode.
      mkdirSync(fsPath(join(tmp, e.rel)), { mode: (e.stat.mode & 0o7777) | 0o700 });
      chmodSync(fsPath(join(tmp, e.rel)), (e.stat.mode & 0o7777) | 0o700);
      dirs.push(join(tmp, e.rel));
      index.push({ t: 'd', p: e.rel, mode: e.stat.mode & 0o7777 });
    }

    // A first copy of a large file (nothing to link it from, not a database) may go to the copy
    // thread, queued now; the calling thread copies the rest in order, then these, taking a share.
    const fresh = (e: { rel: string; stat: { size: number } }) => e.stat.size >= LARGE_FILE && roles.get(e.rel) !== 'database' && !previousFiles.has(toSnapshotPath(e.rel));
    copyThread = CopyThread.startFor(files.filter(fresh).map((e) => e.stat.size));
    const onThread = new Map<string, Promise<SnapshotFileCopy>>();
    if (copyThread) for (const e of files) if (fresh(e)) onThread.set(e.rel, copyThread.copy(e.abs, join(tmp, toSnapshotPath(e.rel))));
    const ordered = onThread.size > 0 ? [...files.filter((e) => !onThread.has(e.rel)), ...files.filter((e) => onThread.has(e.rel))] : files;

    const summary: BackupSummary = { files: 0, bytes: 0, copied: 0, copiedBytes: 0, linked: 0, linkedBytes: 0, symlinks: 0, dirs: dirs.length - 1, errors: 0, warnings: 0, durationMs: 0 };
    const manifest: Array<{ p: string; sha256: string }> = [];
    const written: string[] = [];
    /** Files linked on the strength of their copy's recorded stat, not re-read: the snapshot's bytes are proven as of the previous proof. */
    let linkedUnread = 0;
    let lastYield = performance.now();
    // One file at a time on synchronous calls (copySnapshotFile: copy, then read back): for the many
    // small files of a data dir the promise round trips cost more than the copying. The loop yields
    // every 50 ms so that a Ctrl-C, the progress display and the copy thread's replies are served.
    for (const e of ordered) {
      const pending = onThread.get(e.rel);
      // At the first file of the copy thread's: take queued ones here too until none is left.
      while (pending && copyThread!.helpOne()) {
        if (performance.now() - lastYield > 50) {
          await new Promise((r) => setImmediate(r));
          lastYield = performance.now();
        }
      }
      if (performance.now() - lastYield > 50) {
        await new Promise((r) => setImmediate(r));
        lastYield = performance.now();
      }
      const p = toSnapshotPath(e.rel);
      const dst = join(tmp, p);
      const database = roles.get(e.rel) === 'database';
      let recorded: SourceStat = e.stat;
      let sha256: string | undefined;
      let size = e.stat.size;
      let identity: { cino?: number; cmtimeMs?: number; racy?: 1 } = {};
      // A database is never linked: its -wal may hold new rows while the .db file's stat is unchanged.
      const link = database ? { linked: false as const } : linkFromPrevious(previous?.path, previousFiles.get(p), e.stat, e.abs, p, dst);
      if (!link.linked && 'damaged' in link) {
        emit(makeFinding('backup/previous-damaged', { run: runOf(p), path: p }, `the copy in ${previous!.path} no longer matches its recorded hash: copied afresh (run backups verify)`));
      }
      if (link.linked) {
        sha256 = link.sha256;
        identity = { cino: link.copyIno, cmtimeMs: link.copyMtimeMs, ...(link.racy ? { racy: 1 as const } : {}) };
        if (!link.blobRead) linkedUnread++;
      } else if (database) {
        try {
          ({ sha256, size } = await layout.copyDatabase(e.abs, dst));
          written.push(dst);
        } catch (err) {
          throw backupFailed(e.rel, err);
        }
      } else {
        try {
          const copy = copyOrReport(dst, e.rel, emit, pending ? await settled(pending) : () => copySnapshotFile(e.abs, dst));
          if (!copy) continue;
          written.push(dst);
          ({ sha256, size } = copy);
          recorded = copy.source;
          identity = { cino: copy.copyIno, cmtimeMs: copy.copyMtimeMs, ...(isRacy(copy.source.ctimeMs, copy.readStartedMs) ? { racy: 1 as const } : {}) };
        } catch (err) {
          throw backupFailed(e.rel, err);
        }
      }
      summary.files++;
      summary.bytes += size;
      if (link.linked) {
        summary.linked++;
        summary.linkedBytes += size;
      } else {
        summary.copied++;
        summary.copiedBytes += size;
      }
      const st = recorded;
      index.push({ t: 'f', p, size, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs, ino: st.ino, dev: st.dev, mode: st.mode & 0o7777, sha256: sha256!, ...identity });
      manifest.push({ p, sha256: sha256! });
      onEvent?.({ type: 'file', path: e.rel, bytes: size, linked: link.linked });
      faultPoint('backup-file');
    }

    for (const e of entries) {
      if (e.kind !== 'symlink') continue;
      await symlink(fsPath(e.target), fsPath(join(tmp, e.rel)));
      index.push({ t: 'l', p: e.rel, target: e.target });
      summary.symlinks++;
    }

    manifest.sort((a, b) => (a.p < b.p ? -1 : a.p > b.p ? 1 : 0));
    // Names that are not valid UTF-8 go in as their own bytes, as sha256sum writes them.
    // The tree is still a temp: plain writes, made durable with everything else by syncTree.
    writeRecord(join(tmp, MANIFEST_FILE), pathBytes(manifest.map((m) => formatSha256sumLine(m.sha256, m.p)).join('')), written);
    index.sort((a, b) => (a.p < b.p ? -1 : a.p > b.p ? 1 : 0));
    writeRecord(join(tmp, INDEX_FILE), index.map((e) => JSON.stringify(e) + '\n').join(''), written);
    Object.assign(summary, countSeverities(findings));
    // What the data dir held that the snapshot does not: it is partial, and says so (restore warns).
    const lacks = [...new Set(findings.filter((f) => LACKING.has(f.code)).map((f) => f.path))].sort();
    const now = new Date().toISOString();
    // Bytes linked unread were last proven when the previous snapshot was (written or verified).
    const provenAt = linkedUnread > 0 && previous?.meta?.verifiedAt && previous.meta.verifiedAt < now ? previous.meta.verifiedAt : now;
    const meta: SnapshotMeta = {
      tool: TOOL,
      version: VERSION,
      format: 1,
      source: realDataDir,
      createdAt: now,
      startedAt: startedAt.toISOString(),
      state: lacks.length > 0 ? 'partial' : 'complete',
      verifiedAt: provenAt,
      files: summary.files,
      bytes: summary.bytes,
      linked: summary.linked,
      linkedBytes: summary.linkedBytes,
      symlinks: summary.symlinks,
      linkedFrom: previous?.name ?? null,
      problems: lacks.length,
      ...(lacks.length > 0 ? { lacks: lacks.slice(0, MAX_LACKS_LISTED), lacking: lacks.length } : {}),
    };
    writeRecord(join(tmp, META_FILE), snapshotMetaText(meta), written);
    // Every byte and entry durable before the rename publishes the tree.
    await syncTree(tmp, written, dirs);
    faultPoint('backup-before-rename');
    const final = join(realBackups, name);
    await rename(tmp, final);
    tmp = undefined;
    await fsyncDir(realBackups);

    const pruned = prunes ? await pruneSnapshots(realBackups, policy, { locked: true }) : null;
    summary.durationMs = Math.round(performance.now() - started);
    return {
      tool: TOOL,
      version: VERSION,
      command: 'backup',
      dataDir: realDataDir,
      backupsDir: realBackups,
      snapshot: { name, path: final },
      linkedFrom: previous?.name ?? null,
      summary,
      findings,
      pruned,
      ...(lacks.length > 0 ? { lacks: { count: lacks.length, paths: lacks.slice(0, MAX_LACKS_LISTED) } } : {}),
      exitCode: summary.errors > 0 ? EXIT.uncorrected : EXIT.clean,
    };
  } finally {
    // A failed backup removes its own half-built copy; a killed one leaves .incomplete-*, which prune removes.
    await copyThread?.close();
    if (tmp) await rm(tmp, { recursive: true, force: true }).catch(() => {});
    await unlock?.();
    await repairLock?.release();
  }
}

/**
 * One line for a copy that failed: which file, why (a full or read-only disk said in words), and
 * the state: the half-built copy is removed (finally, above), and the data dir is only ever read.
 */
function backupFailed(rel: string, err: unknown): FsckError {
  const why = describeIoError(err, undefined) ?? (err as Error).message;
  return new FsckError(`backup failed on ${rel}: ${why}; no snapshot was made, the data dir is unchanged`);
}

/** Findings that mean a file or folder of the data dir is not in the snapshot. */
const LACKING = new Set(['fs/unreadable']);
const MAX_LACKS_LISTED = 1000;

/** Where BACKUPS must not be: inside what a backup copies as data (a run, runs/ itself, a project's files, our own state). */
const DATA_FOLDERS = ['runs', 'media', 'artifacts', 'inbox', 'quarantine', '.trackio-fsck'];

function refuseDestInsideData(realDataDir: string, realDest: string, given: string): void {
  for (const folder of DATA_FOLDERS) {
    const inside = join(realDataDir, folder);
    if (isInside(inside, realDest)) {
      throw new FsckError(`--dest ${given} lies inside ${inside}: snapshots there would be taken for data (a run, a project's files) and copied into every later snapshot. Choose a folder outside it, e.g. beside the data dir.`, EXIT.usage);
    }
  }
}

/** The real path `p` will have: its nearest existing ancestor resolved, the rest appended. */
async function realpathOfNearest(p: string): Promise<string> {
  let head = p;
  const tail: string[] = [];
  for (;;) {
    try {
      return join(await realpath(head), ...tail.reverse());
    } catch (err) {
      const parent = dirname(head);
      if (parent === head || (err as NodeJS.ErrnoException).code !== 'ENOENT') return p;
      tail.push(basename(head));
      head = parent;
    }
  }
}

/**
 * The data dir's repair lock, held by this backup (command "backup"): a repair or undo refuses to
 * start while it is held, and this backup refuses while one holds it (unless forced; then it goes
 * on without the lock). A data dir where the lock cannot be created (read-only) cannot be repaired
 * either, so the backup goes on without it.
 */
async function takeRepairLock(realDataDir: string, force: boolean) {
  const { RepairLock, liveLockOwner } = await import('../repair/RepairLock.js');
  const held = await liveLockOwner(realDataDir);
  if (held) {
    if (force) return undefined;
    throw new FsckError(`${realDataDir} is being repaired (${held.command}, pid ${held.pid}, since ${held.started}): back up when it is done, or use --force. Nothing was written.`, EXIT.operational);
  }
  try {
    return await RepairLock.acquire(realDataDir, { command: 'backup' });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EROFS' || code === 'EACCES' || code === 'EPERM') return undefined;
    if (err instanceof FsckError && force) return undefined;
    if (err instanceof FsckError) throw new FsckError(`${err.message.split('\n')[0]} Nothing was written.`, EXIT.operational);
    throw err;
  }
}

/**
 * The name's second must be free: two backups in one second wait for the next one rather than
 * bend the trackio_backup_YYYYMMDD_HHMMSS format that scripts and prune rely on.
 */
async function freeSecond(backupsDir: string): Promise<Date> {
  for (;;) {
    const now = new Date();
    const taken = await stat(join(backupsDir, snapshotName(now))).then(
      () => true,
      () => false,
    );
    if (!taken) return now;
    await new Promise((r) => setTimeout(r, 1005 - now.getMilliseconds()));
  }
}

/** One of the snapshot's own records, written into the temp tree (new file: never over anything). */
function writeRecord(path: string, data: string | Buffer, written: string[]): void {
  writeFileSync(path, data, { flag: 'wx' });
  written.push(path);
}

/** A copy made on the copy thread, as a call that returns it or throws what the copy threw. */
async function settled(pending: Promise<SnapshotFileCopy>): Promise<() => SnapshotFileCopy> {
  try {
    const copy = await pending;
    return () => copy;
  } catch (err) {
    return () => {
      throw err;
    };
  }
}

/** Copies (`copy` does); an unreadable source is reported (the snapshot goes on without it), anything else aborts. */
function copyOrReport(dst: string, rel: string, emit: (f: Finding) => void, copy: () => SnapshotFileCopy): SnapshotFileCopy | undefined {
  try {
    const made = copy();
    if (made.changed) emit(makeFinding('backup/source-changed', { run: runOf(rel), path: rel }, 'changed while it was copied (a live writer): the snapshot holds the bytes read'));
    return made;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (err instanceof NotRegularFileError) {
      rmSync(fsPath(dst), { force: true });
      emit(makeFinding('backup/source-changed', { run: runOf(rel), path: rel }, `replaced while the backup ran: now ${err.message.slice(err.message.indexOf(' is ') + 4)}`));
      return undefined;
    }
    if (code === 'ENOENT') {
      rmSync(fsPath(dst), { force: true });
      emit(makeFinding('backup/source-changed', { run: runOf(rel), path: rel }, 'deleted while the backup ran (renamed or removed by a writer): not in the snapshot'));
      return undefined;
    }
    if (code === 'EACCES' || code === 'EPERM' || code === 'EIO') {
      rmSync(fsPath(dst), { force: true });
      emit(makeFinding('fs/unreadable', { run: runOf(rel), path: rel }, `cannot read: ${(err as Error).message}; not in the snapshot`));
      return undefined;
    }
    throw err;
  }
}
