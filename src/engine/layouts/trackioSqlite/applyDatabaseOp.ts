import { commandLine } from '../../commandLine.js';
import { link, lstat, rename } from 'node:fs/promises';
import { copyFileVerified } from '../../fs/copyFileVerified.js';
import { dirname } from 'node:path';
import { FsckError } from '../../errors.js';
import { fsyncDir } from '../../fs/fsyncDir.js';
import { makeDurableLike } from '../../fs/makeDurableLike.js';
import { faultPoint } from '../../fs/faultPoint.js';
import { imageOf, removeFile, sameImage } from '../../repair/fileState.js';
import { saveJournal, type Journal, type JournalOp } from '../../repair/Journal.js';
import { safePath } from '../../fs/safePath.js';
import { mkdirDurable } from '../../repair/stateDir.js';
import { backupDatabase } from './backupDatabase.js';
import { loadSqlite } from './loadSqlite.js';
import { quarantineInvalidJsonRows } from './quarantineInvalidJsonRows.js';
import { duplicateRowsIn } from './checks/duplicateRowsIn.js';
import { rewriteNonfiniteCells } from './rewriteNonfiniteCells.js';
import { readSqliteHeader } from './readSqliteHeader.js';
import { salvageDatabase } from './salvageDatabase.js';
import type { OpContext } from '../../repair/ops/OpKind.js';
import { unplacedRowsFile } from './salvage/unplacedRowsFile.js';

/** The two durable records every op writes, supplied by the repair that runs it. */
interface OpHelpers {
  markDone(realDataDir: string, journal: Journal, op: JournalOp): Promise<void>;
  writeWhy(realDataDir: string, rel: string, journal: Journal, op: JournalOp, extra: Record<string, unknown>): Promise<void>;
}

/** applyDatabaseOp as an op kind's `apply`. */
export function applyDatabaseOpIn(ctx: OpContext, op: JournalOp): Promise<void> {
  return applyDatabaseOp(ctx.realDataDir, ctx.journal, op, {
    markDone: (_d, _j, o) => ctx.markDone(o),
    writeWhy: (_d, rel, _j, o, extra) => ctx.writeWhy(rel, o, extra),
  });
}

const SQLITE_TEMPS = ['', '-journal', '-wal', '-shm'];

/**
 * Applies (or finishes after a crash) the repair of one project database, in two phases:
 *
 * 1. Rebuild, while the database and its -wal/-shm/-journal are exactly as planned (and backed up):
 *    a fresh database `temp` beside it, by salvage (every readable row, same schema) or by SQLite's
 *    backup API (every row, the -wal included), then the bad rows written to quarantine as JSONL
 *    and deleted in one transaction; back to the original journal mode, closed, fsynced, its
 *    SHA-256 recorded in the journal ("prepared").
 * 2. Swap: the old -wal/-shm/-journal move to quarantine (a -wal left beside the new database
 *    would be replayed into it), after a salvage the original database moves to quarantine too,
 *    then `temp` is renamed over the database and the directory fsynced.
 *
 * The state of each piece (temp = recorded result, database = recorded original or result,
 * sidecars here or in quarantine) tells a resumed repair what is left to do.
 */
async function applyDatabaseOp(realDataDir: string, journal: Journal, op: JournalOp, helpers: OpHelpers): Promise<void> {
  const info = op.database!;
  const abs = await safePath(realDataDir, op.path);
  const temp = await safePath(realDataDir, op.temp!);
  const now = await imageOf(abs);
  if (op.state === 'prepared' && sameImage(now, op.post)) {
    await removeTemps(temp);
    return helpers.markDone(realDataDir, journal, op);
  }
  const prepared = op.state === 'prepared' && sameImage(await imageOf(temp), op.post);
  if (!prepared) {
    if (!sameImage(now, op.pre)) throw new FsckError(`${op.path} changed since the repair was planned; the repair stops here (undo: ${commandLine('undo', realDataDir)})`);
    for (const s of info.sidecars) {
      if (!sameImage(await imageOf(await safePath(realDataDir, s.path)), s)) throw new FsckError(`${s.path} changed since the repair was planned (a writer?); the repair stops here (undo: ${commandLine('undo', realDataDir)})`);
    }
    await rebuild(realDataDir, journal, op, abs, temp, helpers);
  }
  await swap(realDataDir, op, abs, temp);
  await helpers.markDone(realDataDir, journal, op);
}

async function rebuild(realDataDir: string, journal: Journal, op: JournalOp, abs: string, temp: string, helpers: OpHelpers): Promise<void> {
  const info = op.database!;
  await removeTemps(temp);
  // A salvage reads the file page by page and needs no intact header.
  const header = await readSqliteHeader(abs);
  if (!header && !info.salvage) throw new FsckError(`${op.path} is no longer a SQLite database; the repair stops here`);
  const unplacedAbs = info.salvage && info.original ? await safePath(realDataDir, unplacedRowsFile(info.original)) : undefined;
  if (unplacedAbs) await removeFile(unplacedAbs); // a half-written one from a killed attempt: the rows are still in the database
  await mkdirDurable(realDataDir, dirname(op.creates[0]!));
  const rowsAbs = info.rowsFile ? await safePath(realDataDir, info.rowsFile) : undefined;
  if (rowsAbs) await removeFile(rowsAbs); // a half-written one from a killed attempt: the rows are still in the database
  const Database = loadSqlite();
  let walMode = header?.wal ?? false;
  let salvageWhy: Record<string, unknown> = {};
  try {
    if (info.salvage) {
      const salvaged = await salvageDatabase(abs, temp, { unplacedFile: unplacedAbs, snapshot: info.snapshot });
      const h = salvaged.healed;
      if (h) info.healed = { rows: h.healed, byTable: h.byTable, present: h.present, refused: h.refused, absentElsewhere: h.absentElsewhere, ...(h.note ? { note: h.note } : {}) };
      if (salvaged.pages) {
        walMode = header?.wal ?? salvaged.pages.walMode;
        const p = salvaged.pages;
        info.unplaced = p.unplaced;
        if (p.unplacedFile) info.unplacedFile = unplacedRowsFile(info.original!);
        if (p.wal.state === 'ignored') info.walIgnored = p.wal.note;
        salvageWhy = { method: 'pages', unplaced: p.unplaced, unplacedByWhy: p.unplacedByWhy, ...(p.unplacedFile ? { unplacedFile: unplacedRowsFile(info.original!) } : {}), duplicates: p.duplicates, wal: p.wal, schemaFrom: p.schemaFrom };
      } else salvageWhy = salvaged.method === 'reindex' ? { method: 'reindex' } : { method: 'sqlite', pagesError: salvaged.pagesError };
      if (h) salvageWhy.healed = { snapshot: info.snapshot, ...info.healed };
      info.copied = salvaged.copied;
      info.skipped = salvaged.tables.flatMap((t) => t.skipped.map((s) => ({ table: t.name, after: s.after, before: s.before })));
    } else {
      await backupDatabase(abs, temp, { reindex: info.reindex === true });
    }
    faultPoint('database-rebuilt-into-temp', op.path);
    const db = new Database(temp, { fileMustExist: true });
    try {
      if (info.nonfinite) info.nonfiniteCells = rewriteNonfiniteCells(db);
      if (rowsAbs) info.rows = (await quarantineInvalidJsonRows(db, rowsAbs, info.quarantineRows ? undefined : [], info.duplicateRows ? duplicateRowsIn(db) : [])).rows;
      // Trackio's databases are WAL (0.3.x: rollback journal); the fresh copy gets the mode the original had.
      db.pragma(`journal_mode = ${walMode ? 'WAL' : 'DELETE'}`);
    } finally {
      db.close();
    }
  } catch (err) {
    await removeTemps(temp);
    throw err;
  }
  await makeDurableLike(temp, abs);
  if (rowsAbs) faultPoint('quarantined-rows', op.path);
  await helpers.writeWhy(realDataDir, op.creates[0]!, journal, op, {
    ...(info.rowsFile ? { rowsFile: info.rowsFile, rows: info.rows } : {}),
    ...(info.salvage ? { original: info.original, copied: info.copied, skipped: info.skipped, ...salvageWhy } : {}),
    sidecars: info.sidecars.map((s) => s.quarantine),
  });
  op.post = await imageOf(temp);
  op.state = 'prepared';
  await saveJournal(realDataDir, journal, `prepared ${op.path}`);
}

/** Phase 2 (also of a merge's database op): sidecars to quarantine, then the new database renamed into place. */
export async function swap(realDataDir: string, op: JournalOp, abs: string, temp: string): Promise<void> {
  const info = op.database!;
  for (const s of info.sidecars) {
    const from = await safePath(realDataDir, s.path);
    if (!(await lstat(from).catch(() => undefined))) continue; // moved by the attempt a crash ended
    if (!sameImage(await imageOf(from), s)) throw new FsckError(`${s.path} changed while the database was being repaired (a writer?); the repair stops here (undo: ${commandLine('undo', realDataDir)})`);
    const to = await safePath(realDataDir, s.quarantine);
    await mkdirDurable(realDataDir, dirname(s.quarantine));
    await rename(from, to);
    await fsyncDir(dirname(to));
    await fsyncDir(dirname(from));
    faultPoint('moved-sidecar-to-quarantine', s.path);
  }
  // No pre-image: a database the op creates (a project merge brings whole), which must still be absent.
  if (op.pre ? !sameImage(await imageOf(abs), op.pre) : (await imageOf(abs)) !== undefined) throw new FsckError(`${op.path} changed while it was being repaired; the repair stops here (undo: ${commandLine('undo', realDataDir)})`);
  if (info.salvage && info.original) {
    // Kept by a hard link, not a move: <project>.db never disappears, even for a moment (the data dir
    // is recognised by its .db files, and Trackio would create an empty database in the gap).
    const kept = await safePath(realDataDir, info.original);
    if (!(await lstat(kept).catch(() => undefined))) {
      await mkdirDurable(realDataDir, dirname(info.original));
      await link(abs, kept).catch(async () => copyFileVerified(abs, kept, op.pre!.sha256));
      await fsyncDir(dirname(kept));
      faultPoint('kept-original-in-quarantine', op.path);
    }
  }
  await rename(temp, abs);
  await fsyncDir(dirname(abs));
  faultPoint('database-renamed-into-place', op.path);
}

/** The temp database and any journal SQLite left beside it. */
export async function removeTemps(temp: string): Promise<void> {
  for (const suffix of SQLITE_TEMPS) await removeFile(temp + suffix);
}

