import { commandLine } from '../commandLine.js';
import { lstat, mkdir, realpath, statfs } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { FsckError } from '../errors.js';
import { copyFileVerified } from '../fs/copyFileVerified.js';
import { isInside } from '../fs/isInside.js';
import { buildOps } from './buildOps.js';
import { opKindOf } from './ops/opKinds.js';
import { applyOp } from './applyOp.js';
import { faultPoint } from '../fs/faultPoint.js';
import { dirsBelow, imageOf, removeCopyTemps, removeOwnTemps, sameImage } from './fileState.js';
import { journalPath, newJournal, repairsDir, saveJournal, unfinishedJournal, type BackedUpFile, type Journal, type JournalOp } from './Journal.js';
import { RepairLock, type LockOwner } from './RepairLock.js';
import type { RepairPlan } from './RepairPlan.js';
import { repairId } from './repairId.js';
import { safePath } from '../fs/safePath.js';
import { mkdirDurable, QUARANTINE_DIR, STATE_DIR } from './stateDir.js';
import { noteAgreement, rerecordAfterRepair } from '../manifest/rerecordFiles.js';
import { noteDataState } from '../fs/interrupt.js';

export type RepairEvent =
  | { type: 'lock-replaced'; owner: LockOwner }
  | { type: 'backup'; path: string; bytes: number }
  | { type: 'backed-up'; dir: string; files: number; bytes: number }
  | { type: 'op'; op: JournalOp };

export interface ApplyOptions {
  /** How the repair was asked for, kept in the journal and the lock ("repair -y"). */
  command: string;
  /** Folder for the verified copies (default DIR/.trackio-fsck/repairs); each repair gets <id>/ below it. */
  backupDir?: string;
  /** Take the lock from a live holder. */
  force?: boolean;
  onEvent?: (e: RepairEvent) => void;
}

export interface RepairOutcome {
  journal: Journal;
  journalPath: string;
  /** Step ids applied. */
  applied: number[];
}

/**
 * Applies the chosen steps of a plan: lock, journal, verified backup of every file an op changes,
 * then each op atomically, the journal updated after each durable point. Nothing in the data dir
 * changes before every backup copy has been read back and matched its original's SHA-256.
 */
export async function applyPlan(plan: RepairPlan, selected: number[], opts: ApplyOptions): Promise<RepairOutcome | undefined> {
  const realDataDir = await realpath(plan.dataDir);
  const chosen = plan.steps.filter((s) => selected.includes(s.id));
  if (chosen.length === 0) return undefined;
  const lock = await RepairLock.acquire(realDataDir, { command: opts.command, force: opts.force });
  try {
    if (lock.replaced) opts.onEvent?.({ type: 'lock-replaced', owner: lock.replaced });
    noteDataState(NOTHING_CHANGED);
    faultPoint('lock-taken');
    const unfinished = await unfinishedJournal(realDataDir);
    if (unfinished) {
      throw new FsckError(`repair ${unfinished.id} was interrupted and must be finished or undone first: run ${commandLine('repair', '-y', realDataDir)} (it resumes) or ${commandLine('undo', realDataDir)}`);
    }
    // Everything that could stop the repair halfway is checked before the first byte changes.
    await refuseLinkedDir(realDataDir, QUARANTINE_DIR);
    const id = await freshId(realDataDir);
    const quarantineDir = `${QUARANTINE_DIR}/${id}`;
    const ops = await buildOps(chosen, id, quarantineDir);
    const ownDir = await mkdirDurable(realDataDir, `${STATE_DIR}/repairs/${id}`);
    const backupDir = opts.backupDir ? await backupRoot(realDataDir, opts.backupDir, id) : ownDir;
    const files = await filesToBackUp(realDataDir, ops);
    await ensureSpace(realDataDir, backupDir, files.reduce((n, f) => n + f.size, 0), tempBytes(ops));
    const journal = newJournal({ id, command: opts.command, dataDir: realDataDir, backupDir, quarantineDir, steps: plan.steps, selected: chosen.map((s) => s.id), files, ops });
    await saveJournal(realDataDir, journal, 'plan');
    // Before any byte changes: which files still agree with the manifest (those get re-recorded after).
    await noteAgreement(realDataDir, ownDir, journal.ops.flatMap((op) => [op.path, ...(op.database?.sidecars.map((s) => s.path) ?? [])]), journal.ops.filter((op) => op.database !== undefined).map((op) => op.path));
    await runJournal(realDataDir, journal, opts);
    noteDataState(COMPLETE, false);
    return { journal, journalPath: journalPath(realDataDir, id), applied: journal.selected };
  } finally {
    await lock.release();
  }
}

/** Finishes a repair a crash interrupted: the backups it had not verified, then the ops it had not done. */
export async function resumeRepair(dataDir: string, opts: ApplyOptions): Promise<RepairOutcome | undefined> {
  const realDataDir = await realpath(dataDir);
  const lock = await RepairLock.acquire(realDataDir, { command: opts.command, force: opts.force });
  try {
    if (lock.replaced) opts.onEvent?.({ type: 'lock-replaced', owner: lock.replaced });
    const journal = await unfinishedJournal(realDataDir);
    if (!journal) return undefined;
    if (journal.status === 'undoing') throw new FsckError(`an undo of repair ${journal.id} was interrupted: run ${commandLine('undo', realDataDir)} to finish it`);
    await runJournal(realDataDir, journal, opts);
    noteDataState(COMPLETE, false);
    return { journal, journalPath: journalPath(realDataDir, journal.id), applied: journal.selected };
  } finally {
    await lock.release();
  }
}

async function runJournal(realDataDir: string, journal: Journal, opts: ApplyOptions): Promise<void> {
  if (journal.status === 'backing-up') {
    noteDataState(BACKING_UP);
    let bytes = 0;
    for (const f of journal.files) {
      await backUp(realDataDir, journal, f);
      bytes += f.size;
      opts.onEvent?.({ type: 'backup', path: f.path, bytes: f.size });
    }
    journal.status = 'applying';
    await saveJournal(realDataDir, journal, 'backed up');
    opts.onEvent?.({ type: 'backed-up', dir: journal.backupDir, files: journal.files.length, bytes });
  }
  if (journal.status === 'applying') {
    noteDataState(APPLYING);
    for (const op of journal.ops) {
      if (op.state !== 'done') await applyOp(realDataDir, journal, op);
      opts.onEvent?.({ type: 'op', op });
    }
    // A why-record a crash left half-written is rewritten on resume; its temp would stay behind.
    for (const d of await dirsBelow(join(realDataDir, journal.quarantineDir))) await removeOwnTemps(d);
    // The manifest records what the repair left, so the next check does not call the tool's own work damage.
    await rerecordAfterRepair(realDataDir, join(repairsDir(realDataDir), journal.id), journal.ops.flatMap((op) => [op.path, ...(op.database?.sidecars.map((s) => s.path) ?? [])]), journal.ops.filter((op) => op.database !== undefined).map((op) => op.path));
    journal.status = 'complete';
    await saveJournal(realDataDir, journal, 'complete');
  }
}

/** One verified copy; a copy already there and matching (a resumed repair) is kept. */
async function backUp(realDataDir: string, journal: Journal, f: BackedUpFile): Promise<void> {
  const dst = join(journal.backupDir, f.backup);
  await removeCopyTemps(dst);
  if (sameImage(await imageOf(dst), f)) return;
  await mkdir(dirname(dst), { recursive: true });
  const src = await safePath(realDataDir, f.path);
  const st = await lstat(src);
  if (!st.isFile()) throw new FsckError(`${f.path} is not a regular file any more: the repair stops before changing anything`);
  try {
    await copyFileVerified(src, dst, f.sha256);
  } catch (err) {
    if (err instanceof FsckError) throw new FsckError(`${err.message}; ${f.path} changed since the plan was made, so nothing was changed: check again and repair again`);
    throw err;
  }
  faultPoint('backed-up', f.path);
}

/** What every op's kind says its verified backup must hold, with each file's mode and mtime for undo. */
async function filesToBackUp(realDataDir: string, ops: JournalOp[]): Promise<BackedUpFile[]> {
  const files: BackedUpFile[] = [];
  for (const op of ops) {
    for (const f of (await opKindOf(op)).backupSet(op)) {
      const st = await lstat(await safePath(realDataDir, f.path));
      files.push({ path: f.path, sha256: f.sha256, size: f.size, backup: `files/${f.path}`, mode: st.mode & 0o7777, mtimeMs: st.mtimeMs });
    }
  }
  return files;
}

async function backupRoot(realDataDir: string, wanted: string, id: string): Promise<string> {
  await mkdir(wanted, { recursive: true });
  const root = await realpath(wanted);
  for (const forbidden of ['runs', QUARANTINE_DIR]) {
    if (isInside(join(realDataDir, forbidden), root)) throw new FsckError(`--backup-dir ${root} is inside ${forbidden}/ of the data dir: choose a place check does not scan`);
  }
  const dir = join(root, id);
  await mkdir(dir, { recursive: true });
  return dir;
}

async function refuseLinkedDir(realDataDir: string, name: string): Promise<void> {
  const st = await lstat(join(realDataDir, name)).catch(() => undefined);
  if (st && (st.isSymbolicLink() || !st.isDirectory())) {
    throw new FsckError(`refusing to write through the symbolic link ${join(realDataDir, name)} (or it is not a directory): nothing was changed`);
  }
}

/** What each state of a repair means for the user, should it stop there (one-line messages, Ctrl-C). */
const NOTHING_CHANGED = 'nothing was changed';
const BACKING_UP = 'nothing in the data dir was changed yet (the pre-repair backup is not finished); `trackio-fsck repair -y` resumes, `trackio-fsck undo` cleans up';
const APPLYING = 'the pre-repair backup is complete; `trackio-fsck repair -y` resumes, `trackio-fsck undo` reverts';
const COMPLETE = 'the repair is complete; `trackio-fsck undo` reverts it';

/** Bytes of the temp files the ops write in the data dir before their renames: a new copy of each rewritten file or database (with its -wal). */
function tempBytes(ops: JournalOp[]): number {
  let n = 0;
  for (const op of ops) {
    if (op.kind !== 'rewrite' && op.database === undefined) continue;
    n += op.pre?.size ?? 0;
    for (const s of op.database?.sidecars ?? []) n += s.size;
  }
  return n;
}

/**
 * Refuses to start a repair the disk cannot hold: the pre-repair backup (in `backupDir`) and the
 * temp files of the rewrites (in the data dir), counted together when both are on one file system.
 */
async function ensureSpace(realDataDir: string, backupDir: string, backupBytes: number, temps: number): Promise<void> {
  const slack = 1024 * 1024;
  const freeIn = async (dir: string) => {
    const s = await statfs(dir);
    return Number(s.bavail) * Number(s.bsize);
  };
  const sameFs = (await lstat(realDataDir)).dev === (await lstat(backupDir)).dev;
  const needs = sameFs ? [{ dir: backupDir, need: backupBytes + temps + slack }] : [{ dir: backupDir, need: backupBytes + slack }, { dir: realDataDir, need: temps + slack }];
  for (const { dir, need } of needs) {
    const free = await freeIn(dir);
    if (free < need) {
      throw new FsckError(
        `not enough free space in ${dir}: the pre-repair backup (${backupBytes} bytes${sameFs ? '' : `, in ${backupDir}`}) and the repair's temp files (${temps} bytes${sameFs ? '' : `, in ${realDataDir}`}) need ${need} bytes there, ${free} are free. Nothing was changed; free space${dir === backupDir ? ' or use --backup-dir' : ''}`,
      );
    }
  }
}

async function freshId(realDataDir: string): Promise<string> {
  const base = repairId();
  for (let n = 1; ; n++) {
    const id = n === 1 ? base : `${base}-${n}`;
    if (!(await lstat(join(repairsDir(realDataDir), id)).catch(() => undefined))) return id;
  }
}
