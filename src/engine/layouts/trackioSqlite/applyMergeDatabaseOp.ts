import { createHash } from 'node:crypto';
import { dirname } from 'node:path';
import { commandLine } from '../../commandLine.js';
import { FsckError } from '../../errors.js';
import { faultPoint } from '../../fs/faultPoint.js';
import { makeDurableLike } from '../../fs/makeDurableLike.js';
import { safePath } from '../../fs/safePath.js';
import { writeFileAtomic } from '../../fs/writeFileAtomic.js';
import type { MergeSource } from '../../merge/MergeSource.js';
import { imageOf, sameImage } from '../../repair/fileState.js';
import { saveJournal, type JournalOp } from '../../repair/Journal.js';
import type { OpContext } from '../../repair/ops/OpKind.js';
import { mkdirDurable } from '../../repair/stateDir.js';
import { removeTemps, swap } from './applyDatabaseOp.js';
import { backupDatabase } from './backupDatabase.js';
import { insertRows } from './insertRows.js';
import { loadSqlite } from './loadSqlite.js';
import { readSqliteHeader } from './readSqliteHeader.js';
import { conflictLines, withSourceDatabase } from './sourceRows.js';

/** Whether the op changes the database (rows to insert, or a whole project to copy in), not only keeps conflicts. */
export function bringsRows(merge: MergeSource): boolean {
  return merge.whole === true || Object.values(merge.bring ?? {}).some((ids) => ids.length > 0);
}

/**
 * Applies (or finishes after a crash) a merge into one project database, in the phases of the
 * `database` op: (1) while DIR's database and its -wal/-shm are as planned (and backed up), a fresh
 * copy `temp` of it by SQLite's backup API, B's rows inserted in one transaction, each checked
 * against the plan's digest; B's conflicting rows written to quarantine; the copy fsynced and its
 * SHA-256 recorded ("prepared"); (2) the swap: sidecars to quarantine, `temp` renamed over the
 * database. A project only B has: `temp` is a backup-API copy of B's database, renamed in where
 * no database is. Only conflicts: their JSONL is written, the database is not touched.
 */
export async function applyMergeDatabaseOp(ctx: OpContext, op: JournalOp): Promise<void> {
  const { realDataDir, journal } = ctx;
  const merge = op.merge!;
  if (!bringsRows(merge)) {
    const hash = createHash('sha256');
    const lines = await withSourceDatabase(merge.from, (src) => conflictLines(src, merge.conflicts, hash));
    if (hash.digest('hex') !== merge.keptDigest) throw changedSince(merge);
    await writeConflicts(realDataDir, op, lines);
    return ctx.markDone(op);
  }
  const abs = await safePath(realDataDir, op.path);
  const temp = await safePath(realDataDir, op.temp!);
  const now = await imageOf(abs);
  if (op.state === 'prepared' && sameImage(now, op.post)) {
    await removeTemps(temp);
    return ctx.markDone(op);
  }
  const prepared = op.state === 'prepared' && sameImage(await imageOf(temp), op.post);
  if (!prepared) {
    const changed = op.pre ? !sameImage(now, op.pre) : now !== undefined;
    if (changed) throw new FsckError(`${op.path} changed since the merge was planned; the merge stops here (undo: ${commandLine('undo', realDataDir)})`);
    for (const s of op.database!.sidecars) {
      if (!sameImage(await imageOf(await safePath(realDataDir, s.path)), s)) throw new FsckError(`${s.path} changed since the merge was planned (a writer?); the merge stops here (undo: ${commandLine('undo', realDataDir)})`);
    }
    await rebuild(realDataDir, op, abs, temp);
    op.post = await imageOf(temp);
    op.state = 'prepared';
    await saveJournal(realDataDir, journal, `prepared ${op.path}`);
  }
  await swap(realDataDir, op, abs, temp);
  await ctx.markDone(op);
}

async function rebuild(realDataDir: string, op: JournalOp, abs: string, temp: string): Promise<void> {
  const merge = op.merge!;
  await removeTemps(temp);
  const from = merge.whole ? merge.from : abs;
  const header = await readSqliteHeader(from);
  if (!header) throw new FsckError(`${merge.whole ? merge.from : op.path} is no longer a SQLite database; the merge stops here`);
  try {
    await backupDatabase(from, temp);
    faultPoint('database-rebuilt-into-temp', op.path);
    const db = new (loadSqlite())(temp, { fileMustExist: true });
    try {
      if (!merge.whole) {
        const brought = createHash('sha256');
        const kept = createHash('sha256');
        const lines = await withSourceDatabase(merge.from, (src) => {
          db.transaction(() => insertRows(db, src, merge.bring ?? {}, brought))();
          return conflictLines(src, merge.conflicts, kept);
        });
        if (brought.digest('hex') !== merge.digest || (lines.length > 0 && kept.digest('hex') !== merge.keptDigest)) throw changedSince(merge);
        await writeConflicts(realDataDir, op, lines);
      }
      // Trackio's databases are WAL (0.3.x: rollback journal); the new one gets the mode the original had.
      db.pragma(`journal_mode = ${header.wal ? 'WAL' : 'DELETE'}`);
    } finally {
      db.close();
    }
  } catch (err) {
    await removeTemps(temp);
    throw err;
  }
  await makeDurableLike(temp, from);
}

/** B's rows that differ from DIR's, as JSONL in quarantine (written whole, atomically), after the digest says they are the rows the plan saw. */
async function writeConflicts(realDataDir: string, op: JournalOp, lines: Buffer[]): Promise<void> {
  const rowsFile = op.database?.rowsFile;
  if (!rowsFile || lines.length === 0) return;
  await mkdirDurable(realDataDir, dirname(rowsFile));
  await writeFileAtomic(await safePath(realDataDir, rowsFile), lines);
  faultPoint('kept-theirs', rowsFile);
}

function changedSince(merge: MergeSource): FsckError {
  return new FsckError(`the other copy's rows changed since the merge was planned (${merge.from}); nothing was brought: plan again`);
}
