import { constants } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { basename, isAbsolute, join, relative } from 'node:path';
import { isSafeRelPath } from '../fs/safePath.js';
import { isInside } from '../fs/isInside.js';
import { FsckError } from '../errors.js';
import { writeFileAtomic } from '../fs/writeFileAtomic.js';
import { TOOL, VERSION } from '../version.js';
import type { Edit, FileImage, PlanStep, SourceFile } from './RepairPlan.js';
import { faultPoint } from '../fs/faultPoint.js';
import type { CutRange } from './rewriteWithEdits.js';
import type { MergeSource } from '../merge/MergeSource.js';
import { BAD_LINES_SUFFIX, heldLinkPath, QUARANTINE_DIR, repairTempPath, STATE_DIR, WHY_SUFFIX, unplacedRowsFile } from '../fs/ownNames.js';

/** pending: not applied; prepared: its result is written and its post-image recorded, not yet in place; done; undone. */
export type OpState = 'pending' | 'prepared' | 'done' | 'undone';

/**
 * One durable unit of a repair: every selected step on one path, applied by one atomic rename.
 * Each op knows the content it expects before (`pre`) and leaves after (`post`), so a resumed repair
 * or an undo can tell from the file alone whether the op happened.
 */
export interface JournalOp {
  id: number;
  kind: 'rewrite' | 'move' | 'copy-in' | 'database' | 'merge-database' | 'keep-theirs' | 'merge-files';
  /** Relative to the data dir. */
  path: string;
  steps: number[];
  /** The content the op expects to find; null for a run directory or a file that does not exist yet. */
  pre: FileImage | null;
  /** The content the op leaves; known before the rename that puts it in place. */
  post?: FileImage;
  edits?: Edit[];
  /** move: where the item goes; rewrite: where quarantined lines go (relative to the data dir). */
  quarantine?: string;
  /** Files the op creates besides its result (quarantined lines, records of why); undo removes them. */
  creates: string[];
  /** rewrite: the temp file the new content is written to, beside the original (relative). */
  temp?: string;
  /** rewrite: the temp file the quarantined lines are written to, beside their final name (relative). */
  quarantineTemp?: string;
  /** rewrite: the original's second name while the rename happens (heldLinkPath); absent in journals of older versions. */
  held?: string;
  source?: SourceFile;
  /** rewrite: what was cut (kept only in the backup), for the summary. */
  cut?: CutRange[];
  /** rewrite: bytes a writer appended to the original between the last look and the rename, carried over to the new file. */
  appended?: { bytes: number; sha256: string };
  /** database: a SQLite project database rebuilt into `temp` (src/engine/layouts/trackioSqlite/applyDatabaseOp.ts). */
  database?: DatabaseOpInfo;
  /** merge-database, keep-theirs: what is taken from the other copy. */
  merge?: MergeSource;
  /** merge-files: the files copied in from the other copy (`merge.from` is its data dir), all below `path`. */
  copies?: Array<{ path: string } & FileImage>;
  /** merge-files: folders it creates, outermost first. */
  newDirs?: string[];
  state: OpState;
}

/** What a database op does and where its pieces go (paths relative to the data dir). */
export interface DatabaseOpInfo {
  salvage: boolean;
  quarantineRows: boolean;
  /** trackio/duplicate-rows: the second copies of rows go to `rowsFile` too (findDuplicateRows, on the fresh copy). */
  duplicateRows?: boolean;
  /** Rebuild every index from its table (sqlite/index); a salvage rebuilds them anyway. */
  reindex?: boolean;
  /** sqlite/nonfinite-number: quote bare NaN/Infinity tokens in TEXT JSON cells (rewriteNonfiniteCells); per table, the cells rewritten. */
  nonfinite?: boolean;
  nonfiniteCells?: Record<string, number>;
  /** The -wal/-shm/-journal found beside the database: backed up, then moved to quarantine before the new database takes its place. */
  sidecars: Array<{ path: string; sha256: string; size: number; quarantine: string }>;
  /** quarantine-rows: the JSONL of the rows taken out. */
  rowsFile?: string;
  /** salvage: where the original database is kept. */
  original?: string;
  /** Per table, rows quarantined; and the salvage's skipped row-id ranges, for the summary. */
  rows?: Record<string, number>;
  skipped?: Array<{ table: string; after: number | null; before: number | null }>;
  copied?: number;
  /** Page-level salvage: rows found but not put back (kept in `unplacedFile`), and why a -wal was not read. */
  unplaced?: number;
  unplacedFile?: string;
  walIgnored?: string;
  /** salvage: the verified snapshot copy rows it cannot read are taken from (path, SHA-256), and what that brought (healFromSnapshot). */
  snapshot?: SourceFile;
  healed?: { rows: number; byTable: Record<string, number>; present: number; refused: number; absentElsewhere: number; note?: string };
}

export interface BackedUpFile extends FileImage {
  path: string;
  /** Relative to the journal's backupDir. */
  backup: string;
  mode: number;
  mtimeMs: number;
}

export type JournalStatus = 'backing-up' | 'applying' | 'complete' | 'undoing' | 'undone';

/** DIR/.trackio-fsck/repairs/<id>/journal.json: everything needed to finish or undo a repair. */
export interface Journal {
  format: 1;
  tool: string;
  version: string;
  id: string;
  command: string;
  dataDir: string;
  created: string;
  updated: string;
  status: JournalStatus;
  /** Absolute folder holding files/ (the verified copies); the journal's own folder unless --backup-dir. */
  backupDir: string;
  /** quarantine/<id>, relative to the data dir. */
  quarantineDir: string;
  steps: PlanStep[];
  selected: number[];
  files: BackedUpFile[];
  ops: JournalOp[];
  /** Set by undo: what it restored and what it could not. */
  undo?: { finished?: string; restored: string[]; conflicts: string[] };
}

export function repairsDir(realDataDir: string): string {
  return join(realDataDir, STATE_DIR, 'repairs');
}

export function journalPath(realDataDir: string, id: string): string {
  return join(repairsDir(realDataDir), id, 'journal.json');
}

export function newJournal(fields: Pick<Journal, 'id' | 'command' | 'dataDir' | 'backupDir' | 'quarantineDir' | 'steps' | 'selected' | 'files' | 'ops'>): Journal {
  const now = new Date().toISOString();
  return { format: 1, tool: TOOL, version: VERSION, ...fields, created: now, updated: now, status: 'backing-up' };
}

/** Writes the journal atomically and durably (temp, fsync, rename, fsync dir): a crash leaves the old or the new one. */
export async function saveJournal(realDataDir: string, journal: Journal, why: string): Promise<void> {
  journal.updated = new Date().toISOString();
  await writeFileAtomic(journalPath(realDataDir, journal.id), JSON.stringify(journal, null, 1) + '\n');
  faultPoint('journal-saved', why);
}

/** Every repair journal of the data dir, oldest first. */
export async function listJournals(realDataDir: string): Promise<Journal[]> {
  let ids: string[];
  try {
    ids = (await readdir(repairsDir(realDataDir), { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const journals: Journal[] = [];
  for (const id of ids.sort()) {
    const path = journalPath(realDataDir, id);
    let text: string;
    try {
      text = await readFile(path, { encoding: 'utf8', flag: constants.O_RDONLY | constants.O_NOFOLLOW });
    } catch (err) {
      // A repair killed before its first journal write changed nothing: there is nothing to resume.
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw err;
    }
    try {
      const j = JSON.parse(text) as Journal;
      if (j?.format !== 1) throw new Error(`unknown journal format ${String(j?.format)}`);
      validateJournal(j, id);
      // The data dir was moved or mounted elsewhere since: a backup kept inside it moved along.
      if (j.dataDir !== realDataDir && isInside(j.dataDir, j.backupDir)) {
        j.backupDir = join(realDataDir, relative(j.dataDir, j.backupDir));
        j.dataDir = realDataDir;
      }
      journals.push(j);
    } catch (err) {
      throw new FsckError(`cannot read the repair journal ${path}: ${(err as Error).message}`);
    }
  }
  return journals;
}

/** The repair a crash interrupted (backing up or applying), if any. */
export async function unfinishedJournal(realDataDir: string): Promise<Journal | undefined> {
  return (await listJournals(realDataDir)).reverse().find((j) => j.status === 'backing-up' || j.status === 'applying' || j.status === 'undoing');
}

const OP_STATES: ReadonlySet<string> = new Set(['pending', 'prepared', 'done', 'undone']);
const STATUSES: ReadonlySet<string> = new Set(['backing-up', 'applying', 'complete', 'undoing', 'undone']);
const SIDECAR_SUFFIXES = ['-wal', '-shm', '-journal'];

/**
 * A journal read back drives writes, renames and deletes: its own name and every path in it must be
 * exactly what a repair writes, or nothing is done with it. Temps are the tool's own names beside
 * the file they replace (repairTempPath, as buildOps makes them); what a repair creates or moves
 * away lies in its own quarantine/<id>/; backups lie in a folder named after the repair. A journal
 * edited to name a user's file anywhere else is refused whole (exit 8) before anything is touched.
 * Paths of the data dir are checked again (links) where they are used (safePath).
 */
export function validateJournal(j: Journal, dirName: string): void {
  const bad = (what: string) => new Error(`${what} is not what a repair writes (edited or damaged?): refused, nothing was changed`);
  if (typeof j !== 'object' || j === null) throw bad('its content');
  if (j.id !== dirName || typeof j.id !== 'string') throw bad(`its id ${JSON.stringify(j.id)}`);
  if (!STATUSES.has(j.status)) throw bad(`its status ${JSON.stringify(j.status)}`);
  if (typeof j.dataDir !== 'string' || !isAbsolute(j.dataDir) || typeof j.backupDir !== 'string' || !isAbsolute(j.backupDir)) throw bad('its dataDir or backupDir');
  // Backups go to DIR/.trackio-fsck/repairs/<id>/ or --backup-dir's <id>/: a folder named after the repair.
  if (basename(j.backupDir) !== j.id) throw bad(`its backupDir ${JSON.stringify(j.backupDir)}`);
  const qd = `${QUARANTINE_DIR}/${j.id}`;
  if (j.quarantineDir !== qd) throw bad(`its quarantineDir ${JSON.stringify(j.quarantineDir)}`);
  if (!Array.isArray(j.files) || !Array.isArray(j.ops) || !Array.isArray(j.steps) || !Array.isArray(j.selected)) throw bad('its lists');
  const opPaths = new Set<string>();
  for (const op of j.ops) {
    if (typeof op !== 'object' || op === null) throw bad('an op');
    const where = `op ${JSON.stringify(op.path)}`;
    if (!OP_STATES.has(op.state) || typeof op.path !== 'string' || !isSafeRelPath(op.path) || !Array.isArray(op.creates)) throw bad(where);
    if (op.path === STATE_DIR || op.path.startsWith(`${STATE_DIR}/`) || op.path === QUARANTINE_DIR || op.path.startsWith(`${QUARANTINE_DIR}/`)) throw bad(where);
    const expected = expectedPaths(op, j.id, qd);
    if (!expected) throw bad(where);
    const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
    if (!same(op.temp, expected.temp)) throw bad(`${where}: its temp ${JSON.stringify(op.temp)}`);
    if (!same(op.quarantine, expected.quarantine)) throw bad(`${where}: its quarantine ${JSON.stringify(op.quarantine)}`);
    if (!same(op.quarantineTemp, expected.quarantineTemp)) throw bad(`${where}: its quarantineTemp ${JSON.stringify(op.quarantineTemp)}`);
    if (op.held !== undefined && !same(op.held, expected.held)) throw bad(`${where}: its held link ${JSON.stringify(op.held)}`);
    for (const c of op.creates) if (typeof c !== 'string' || !expected.creates.includes(c)) throw bad(`${where}: the file it creates ${JSON.stringify(c)}`);
    opPaths.add(op.path);
    // A merge's copies and the folders they create lie below (or, for folders, above) the op's own folder.
    const related = (p: unknown, above: boolean) => typeof p === 'string' && isSafeRelPath(p) && (p.startsWith(`${op.path}/`) || (above && (p === op.path || op.path.startsWith(`${p}/`))));
    if (op.newDirs !== undefined && (!Array.isArray(op.newDirs) || !op.newDirs.every((d) => related(d, true)))) throw bad(`${where}: its new folders`);
    if (op.copies !== undefined && (!Array.isArray(op.copies) || !op.copies.every((c) => related(c?.path, false) && typeof c.sha256 === 'string'))) throw bad(`${where}: the files it copies`);
    if (op.kind === 'database' || op.kind === 'merge-database') {
      const info = op.database;
      if (typeof info !== 'object' || info === null || !Array.isArray(info.sidecars)) throw bad(where);
      if (info.snapshot !== undefined && (typeof info.snapshot?.path !== 'string' || !/^[0-9a-f]{64}$/.test(String(info.snapshot?.sha256)))) throw bad(`${where}: its snapshot`);
      for (const extra of [info.rowsFile, info.original]) if (extra !== undefined && !expected.creates.includes(extra)) throw bad(`${where}: ${JSON.stringify(extra)}`);
      for (const sc of info.sidecars) {
        if (typeof sc?.path !== 'string' || !SIDECAR_SUFFIXES.some((x) => sc.path === op.path + x) || sc.quarantine !== `${qd}/${sc.path}`) throw bad(`${where}: its sidecar ${JSON.stringify(sc?.path)}`);
        opPaths.add(sc.path);
      }
    }
  }
  for (const f of j.files) {
    if (typeof f?.path !== 'string' || !opPaths.has(f.path) || f.backup !== `files/${f.path}` || typeof f.sha256 !== 'string') throw bad(`backup entry ${JSON.stringify(f?.path)}`);
  }
}

/** The temp, quarantine and created paths buildOps gives an op of this kind on this path; undefined for an unknown kind. */
function expectedPaths(op: JournalOp, id: string, qd: string): { temp?: string; quarantine?: string; quarantineTemp?: string; held?: string; creates: string[] } | undefined {
  const path = op.path;
  switch (op.kind) {
    case 'move': {
      const quarantine = `${qd}/${path}`;
      return { quarantine, creates: [quarantine + WHY_SUFFIX] };
    }
    case 'copy-in':
      return { creates: [] };
    case 'rewrite': {
      const temp = repairTempPath(path, id);
      const held = heldLinkPath(path, id);
      if (op.quarantine === undefined) return { temp, held, creates: [] };
      const quarantine = `${qd}/${path}${BAD_LINES_SUFFIX}`;
      return { temp, held, quarantine, quarantineTemp: repairTempPath(quarantine, id), creates: [quarantine, quarantine + WHY_SUFFIX] };
    }
    case 'merge-files':
      return { creates: [] };
    case 'keep-theirs':
      return { quarantine: theirsPath(qd, path), creates: [theirsPath(qd, path)] };
    case 'merge-database':
      // Without rows to bring (only conflicts to keep) the database is not rebuilt: no temp.
      return { ...(op.temp !== undefined && { temp: repairTempPath(path, id) }), creates: [theirsPath(qd, path) + '.rows.jsonl'] };
    case 'database':
      return { temp: repairTempPath(path, id), creates: [`${qd}/${path}${WHY_SUFFIX}`, `${qd}/${path}.rows.jsonl`, `${qd}/${path}`, unplacedRowsFile(`${qd}/${path}`)] };
    default:
      return undefined;
  }
}

/** Where a merge keeps the other copy's differing version of `path` (its file, or `.rows.jsonl` of its rows). */
export function theirsPath(quarantineDir: string, path: string): string {
  return `${quarantineDir}/theirs/${path}`;
}
