import { chmod, lstat, mkdir, realpath, rename, rmdir, utimes } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { FsckError } from '../errors.js';
import { copyFileVerified } from '../fs/copyFileVerified.js';
import { fsyncDir } from '../fs/fsyncDir.js';
import { faultPoint } from '../fs/faultPoint.js';
import { dirsBelow, imageOf, removeCopyTemps, removeFile, removeOwnTemps, sameImage } from './fileState.js';
import { listJournals, repairsDir, saveJournal, type Journal, type JournalOp } from './Journal.js';
import { RepairLock, type LockOwner } from './RepairLock.js';
import { safePath } from '../fs/safePath.js';
import { QUARANTINE_DIR } from './stateDir.js';
import { noteDataState } from '../fs/interrupt.js';

export interface UndoOptions {
  command: string;
  /** Restore even files changed after the repair (their current bytes are kept in displaced/ first), and take a live lock. */
  force?: boolean;
  onEvent?: (e: { type: 'lock-replaced'; owner: LockOwner }) => void;
}

export interface UndoOutcome {
  journal: Journal;
  /** Files put back to their exact bytes from before the repair. */
  restored: string[];
  /** Quarantined files and runs moved back to where they were. */
  movedBack: string[];
  /** Files the repair created (quarantined lines, records of why) and undo removed. */
  removed: string[];
  /** Files changed since the repair, left as they are (see --force), and why. */
  conflicts: string[];
  /** Where the current bytes of files overwritten with --force were kept. */
  displaced: string[];
  /** The last repair had been undone before: nothing was done. */
  alreadyUndone: boolean;
}

/**
 * Returns the data dir to the exact bytes from before the last repair, whether it completed or was
 * killed halfway: rewritten files come back from their verified copies (checked against the SHA-256
 * recorded before the repair), quarantined items move back, files the repair created go. Each op is
 * undone by looking at the file itself, so an undo killed halfway can simply be run again.
 */
export async function undoRepair(dataDir: string, opts: UndoOptions): Promise<UndoOutcome | undefined> {
  const realDataDir = await realpath(dataDir);
  const lock = await RepairLock.acquire(realDataDir, { command: opts.command, force: opts.force });
  try {
    if (lock.replaced) opts.onEvent?.({ type: 'lock-replaced', owner: lock.replaced });
    noteDataState('nothing was changed');
    const journal = (await listJournals(realDataDir)).pop();
    if (!journal) return undefined;
    const outcome: UndoOutcome = { journal, restored: [], movedBack: [], removed: [], conflicts: [], displaced: [], alreadyUndone: journal.status === 'undone' };
    if (outcome.alreadyUndone) return outcome;
    journal.status = 'undoing';
    await saveJournal(realDataDir, journal, 'undoing');
    noteDataState('the undo is partly done; `trackio-fsck undo` finishes it');
    for (const op of [...journal.ops].reverse()) {
      if (op.state === 'undone') continue;
      const conflict = await undoOp(realDataDir, journal, op, opts, outcome);
      if (conflict) {
        outcome.conflicts.push(conflict);
        continue;
      }
      for (const rel of op.creates) {
        // A path through a link was never written by the repair, so there is nothing of ours to remove there.
        const abs = await safePath(realDataDir, rel).catch(() => undefined);
        if (abs && (await removeFile(abs))) outcome.removed.push(rel);
      }
      op.state = 'undone';
      await saveJournal(realDataDir, journal, `undone ${op.path}`);
    }
    await removeEmptyQuarantine(realDataDir, journal.quarantineDir);
    journal.undo = { restored: [...outcome.restored, ...outcome.movedBack], conflicts: outcome.conflicts };
    if (outcome.conflicts.length === 0) {
      journal.status = 'undone';
      journal.undo.finished = new Date().toISOString();
    }
    await saveJournal(realDataDir, journal, 'undo finished');
    noteDataState(outcome.conflicts.length === 0 ? 'the undo is finished' : 'the undo is done except for the conflicts it names', false);
    return outcome;
  } finally {
    await lock.release();
  }
}

/** Undoes one op; returns why it could not, or undefined. */
async function undoOp(realDataDir: string, journal: Journal, op: JournalOp, opts: UndoOptions, out: UndoOutcome): Promise<string | undefined> {
  if (op.kind === 'move') return moveBack(realDataDir, op, out);
  if (op.kind === 'database') return (await import('../layouts/trackioSqlite/undoDatabaseOp.js')).undoDatabaseOp(realDataDir, journal, op, opts, out);
  const abs = await safePath(realDataDir, op.path);
  for (const temp of [op.temp, op.quarantineTemp]) {
    const abs = temp ? await safePath(realDataDir, temp).catch(() => undefined) : undefined;
    if (abs) await removeFile(abs);
  }
  await removeCopyTemps(abs);
  // The rename (or copy-in) of an op happens only after it is recorded as prepared: a pending op changed nothing.
  if (op.state === 'pending') return undefined;
  const now = await imageOf(abs);
  if (op.pre ? sameImage(now, op.pre) : now === undefined) return undefined; // never applied, or already put back
  if (!sameImage(now, op.post) && !opts.force) {
    return `${op.path} changed after the repair (it is neither the repaired nor the original content): left as it is; undo --force replaces it, keeping its current bytes in the repair's displaced/ folder`;
  }
  if (!sameImage(now, op.post) && now) {
    const keep = join(repairsDir(realDataDir), journal.id, 'displaced', op.path);
    await mkdir(dirname(keep), { recursive: true });
    await copyFileVerified(abs, keep, now.sha256);
    out.displaced.push(keep);
  }
  if (!op.pre) {
    await removeFile(abs);
    out.removed.push(op.path);
    return undefined;
  }
  const saved = journal.files.find((f) => f.path === op.path);
  if (!saved) throw new FsckError(`the journal of repair ${journal.id} has no backup of ${op.path}`);
  try {
    await copyFileVerified(join(journal.backupDir, saved.backup), abs, saved.sha256);
  } catch (err) {
    throw new FsckError(`cannot restore ${op.path} from ${join(journal.backupDir, saved.backup)}: ${(err as Error).message}`);
  }
  await chmod(abs, saved.mode);
  await utimes(abs, new Date(), new Date(saved.mtimeMs));
  faultPoint('undo-restored', op.path);
  out.restored.push(op.path);
  return undefined;
}

async function moveBack(realDataDir: string, op: JournalOp, out: UndoOutcome): Promise<string | undefined> {
  let src: string, dst: string;
  try {
    src = await safePath(realDataDir, op.path);
    dst = await safePath(realDataDir, op.quarantine!);
  } catch (err) {
    return `${op.path}: ${(err as Error).message}`;
  }
  const s = await lstat(src).catch(() => undefined);
  const d = await lstat(dst).catch(() => undefined);
  if (s && !d) return undefined; // never moved, or already back
  if (s && d) return `${op.path} exists again and ${op.quarantine} too: both left as they are`;
  if (!d) return `${op.quarantine} is gone: ${op.path} cannot be put back`;
  await rename(dst, src);
  await fsyncDir(dirname(src));
  await fsyncDir(dirname(dst));
  faultPoint('undo-moved-back', op.path);
  out.movedBack.push(op.path);
  return undefined;
}

/** quarantine/<id>/ and its folders go when undo emptied them; quarantine/ too when nothing else is in it. */
async function removeEmptyQuarantine(realDataDir: string, quarantineDir: string): Promise<void> {
  const root = join(realDataDir, quarantineDir);
  // lstat both levels: a linked quarantine/ must not lead undo to remove folders elsewhere.
  for (const d of [join(realDataDir, QUARANTINE_DIR), root]) {
    const st = await lstat(d).catch(() => undefined);
    if (!st || st.isSymbolicLink() || !st.isDirectory()) return;
  }
  for (const d of await dirsBelow(root)) {
    await removeOwnTemps(d);
    await rmdir(d).catch(() => {});
  }
  await rmdir(join(realDataDir, QUARANTINE_DIR)).catch(() => {});
  await fsyncDir(realDataDir);
}
