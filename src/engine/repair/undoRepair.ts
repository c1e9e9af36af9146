import { lstat, realpath, rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fsyncDir } from '../fs/fsyncDir.js';
import { dirsBelow, removeFile, removeOwnTemps } from './fileState.js';
import { listJournals, repairsDir, saveJournal, type Journal } from './Journal.js';
import { opKindOf } from './ops/opKinds.js';
import { RepairLock, type LockOwner } from './RepairLock.js';
import { safePath } from '../fs/safePath.js';
import { QUARANTINE_DIR } from './stateDir.js';
import { restoreAfterUndo } from '../manifest/rerecordFiles.js';
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
      const effects = await (await opKindOf(op)).undo({ realDataDir, journal, force: opts.force ?? false }, op);
      outcome.restored.push(...(effects.restored ?? []));
      outcome.movedBack.push(...(effects.movedBack ?? []));
      outcome.removed.push(...(effects.removed ?? []));
      outcome.displaced.push(...(effects.displaced ?? []));
      if (effects.conflict) {
        outcome.conflicts.push(effects.conflict);
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
    // The manifest entries the repair re-recorded go back to what they were, as the files did.
    if (outcome.conflicts.length === 0) await restoreAfterUndo(realDataDir, join(repairsDir(realDataDir), journal.id));
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
