import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Finding } from '../../finding.js';
import { makeFinding } from '../../makeFinding.js';
import { FindingFolder } from './FindingFolder.js';
import { checkTrackioOperations } from './checks/checkTrackioOperations.js';
import { runSignatures } from './checks/runSignatures.js';
import { findSalvageableRows } from './salvage/findSalvageableRows.js';
import { inspectCell, mediaPaths, type ManifestEntry } from './inspectCell.js';
import type { SqliteDatabase } from './loadSqlite.js';
import { manifestDigest } from './manifestDigest.js';
import { isIndexProblem } from './checkIndexes.js';
import { openReadOnly, readSidecars } from './openReadOnly.js';
import { readSqliteHeader } from './readSqliteHeader.js';
import { structureInBackground, wantsBackground } from './structureInBackground.js';
import { structureProblems, type Structure } from './structureProblems.js';
import { canJudgeInSqlite, rowsNeedingJs, type RowTally } from './rowsNeedingJs.js';
import { generationOf, JSON_COLUMNS, REQUIRED_COLUMNS, REQUIRED_TABLES, type Generation, type JsonColumn } from './trackioSchema.js';

export interface DatabaseCheckContext {
  /** Real path of the data dir. */
  dataDir: string;
  project: string;
  live: boolean;
  /** integrity_check instead of quick_check. */
  full: boolean;
  emit: (f: Finding) => void;
  /** Receives the fingerprint of each run (runSignatures), for checks across projects. */
  onRunSignatures?: (signatures: Map<string, string>) => void;
  /**
   * Judge every JSON cell in JavaScript, row by row, instead of letting SQLite pass the cells it
   * can (rowsNeedingJs): the findings are the same, only slower; tests compare the two.
   */
  rowByRow?: boolean;
  /**
   * Run quick_check and the index comparison on a worker thread while the cells are scanned
   * (structureInBackground); undefined: decided by the file's size, the load and TRACKIO_FSCK_WORKERS (wantsBackground).
   */
  structureInWorker?: boolean;
}

export interface DatabaseCheckResult {
  project: string;
  path: string;
  generation?: Generation;
  how?: 'immutable' | 'shared' | 'private-copy';
  /** Rows read per table checked. */
  rows: Record<string, number>;
  /** Distinct run names in metrics. */
  runs: number;
}

/** How many lines of quick_check output a finding quotes. */
const QUOTED_PROBLEMS = 3;

/**
 * Checks one <project>.db read-only, leaving its directory as found (see openReadOnly):
 * quick_check (integrity_check when `full`), the tables and columns Trackio needs, then every
 * JSON cell streamed row by row, with the media files and artifact manifests the rows refer to.
 */
export async function checkDatabase(ctx: DatabaseCheckContext): Promise<DatabaseCheckResult> {
  const rel = `${ctx.project}.db`;
  const abs = join(ctx.dataDir, rel);
  const result: DatabaseCheckResult = { project: ctx.project, path: rel, rows: {}, runs: 0 };
  const at = { run: null, path: rel };

  let header: Awaited<ReturnType<typeof readSqliteHeader>>;
  let sidecars: Awaited<ReturnType<typeof readSidecars>>;
  try {
    header = await readSqliteHeader(abs);
    sidecars = await readSidecars(abs);
  } catch (err) {
    // Unreadable (permissions, a directory in its place, an I/O error): this database is reported, the others are checked.
    reportOpenError(ctx, rel, err);
    return result;
  }
  if (!header) {
    const rows = salvageableRows(abs);
    if (rows > 0) ctx.emit(makeFinding('sqlite/damaged-header', at, `the file does not start with a SQLite header, but its pages still hold ${rows} rows: repair salvages them page by page`));
    else ctx.emit(makeFinding('sqlite/not-a-database', at, 'not a SQLite database: the file does not start with a SQLite header; restore it from a snapshot (trackio-fsck restore)'));
    return result;
  }
  if (header.wal && (sidecars.wal ?? 0) > 0) {
    const who = ctx.live ? 'a writer has it open' : 'the last writer was killed before it closed the database';
    ctx.emit(makeFinding('sqlite/wal-pending', { run: null, path: `${rel}-wal` }, `${sidecars.wal} bytes of committed transactions not yet in ${rel} (${who}); checked with them`));
  }
  if (!header.wal && sidecars.hotJournal && !ctx.live) {
    ctx.emit(makeFinding('sqlite/hot-journal', { run: null, path: `${rel}-journal` }, `an interrupted transaction (${sidecars.journal} bytes of journal); the next writer rolls it back, and check read the database as it will be then`));
  }

  let opened: Awaited<ReturnType<typeof openReadOnly>>;
  try {
    opened = await openReadOnly(abs, header, ctx.live);
  } catch (err) {
    reportOpenError(ctx, rel, err);
    return result;
  }
  result.how = opened.how;
  try {
    const db = opened.db;
    const tables = readTables(db, ctx, rel);
    if (!tables) return result;
    result.generation = generationOf(tables);
    const schemaFindings = () => {
      for (const t of REQUIRED_TABLES) {
        if (!tables.has(t)) ctx.emit(makeFinding('sqlite/missing-table', { ...at, table: t }, `table ${t} is missing: Trackio cannot read this project`));
      }
      for (const [t, cols] of Object.entries(REQUIRED_COLUMNS)) {
        const have = tables.get(t);
        const missing = have ? cols.filter((c) => !have.has(c)) : [];
        if (missing.length > 0) ctx.emit(makeFinding('sqlite/missing-column', { ...at, table: t }, `table ${t} lacks column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`));
      }
    };
    const scanAll = (scanCtx: DatabaseCheckContext, folder: FindingFolder, runs: Set<string>, intact: boolean) => {
      for (const spec of JSON_COLUMNS) {
        const have = tables.get(spec.table);
        if (!have?.has(spec.column)) continue;
        result.rows[spec.table] = scanJsonColumn(db, spec, have, scanCtx, rel, folder, spec.table === 'metrics' ? runs : undefined, intact && !ctx.rowByRow);
      }
    };
    let folder: FindingFolder;
    let runs = new Set<string>();
    const background = !ctx.rowByRow && wantsBackground(fileBytes(opened.how === 'private-copy' ? db.name : abs), ctx.structureInWorker) ? structureInBackground(db, [...tables.keys()], ctx.full) : undefined;
    if (!background) {
      const intact = reportStructure(db, ctx, rel, tables, structureProblems(db, tables.keys(), ctx.full));
      schemaFindings();
      folder = new FindingFolder(ctx.emit);
      scanAll(ctx, folder, runs, intact);
    } else {
      // The cells are scanned as if the database were intact while the worker checks it; what
      // the scan finds is held until the worker's answer, and reported after it, in the order of
      // the sequential check. A database that fails is scanned again row by row, as it would have
      // been, and the held findings are dropped: the same findings either way, on one core or two.
      const held: Finding[] = [];
      let sink: (f: Finding) => void = (f) => held.push(f);
      const heldCtx: DatabaseCheckContext = { ...ctx, emit: (f) => sink(f) };
      folder = new FindingFolder(heldCtx.emit);
      scanAll(heldCtx, folder, runs, true);
      const structure = (await background) ?? structureProblems(db, tables.keys(), ctx.full);
      const intact = reportStructure(db, ctx, rel, tables, structure);
      schemaFindings();
      if (intact) {
        for (const f of held) ctx.emit(f);
        sink = ctx.emit;
      } else {
        folder = new FindingFolder(ctx.emit);
        runs = new Set<string>();
        scanAll(ctx, folder, runs, false);
      }
    }
    try {
      checkTrackioOperations(db, tables, ctx.dataDir, rel, folder);
      ctx.onRunSignatures?.(runSignatures(db, tables.get('metrics')));
    } catch {
      // A damaged page: quick_check and the row scan above have reported it.
    }
    folder.end();
    result.runs = runs.size;
  } finally {
    await opened.close();
  }
  return result;
}

function reportOpenError(ctx: DatabaseCheckContext, rel: string, err: unknown): void {
  const message = (err as Error).message;
  const code = (err as { code?: string }).code ?? '';
  const rows = code === 'SQLITE_NOTADB' || code === 'SQLITE_CANTOPEN' ? salvageableRows(join(ctx.dataDir, rel)) : 0;
  if (rows > 0) ctx.emit(makeFinding('sqlite/damaged-header', { run: null, path: rel }, `SQLite cannot read it (${message}), but its pages still hold ${rows} rows: repair salvages them page by page`));
  else if (code === 'SQLITE_NOTADB') ctx.emit(makeFinding('sqlite/not-a-database', { run: null, path: rel }, `SQLite cannot read it: ${message}; restore it from a snapshot (trackio-fsck restore)`));
  else if (code === 'SQLITE_CORRUPT') ctx.emit(makeFinding('sqlite/integrity', { run: null, path: rel }, `SQLite cannot open it: ${message}`));
  else ctx.emit(makeFinding('sqlite/cannot-open', { run: null, path: rel }, `cannot open: ${message}${code ? ` (${code})` : ''}`));
}

/** Rows a page-level salvage would find in a file SQLite refuses (0 when it cannot even be read). */
function salvageableRows(abs: string): number {
  try {
    return findSalvageableRows(abs);
  } catch {
    return 0;
  }
}

/** Tables and their columns; undefined (with a finding) when even the schema cannot be read. */
function readTables(db: SqliteDatabase, ctx: DatabaseCheckContext, rel: string): Map<string, Set<string>> | undefined {
  try {
    const tables = new Map<string, Set<string>>();
    const names = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[];
    for (const name of names) {
      const cols = db.prepare(`SELECT name FROM pragma_table_info(?)`).pluck().all(name) as string[];
      tables.set(name, new Set(cols));
    }
    return tables;
  } catch (err) {
    reportOpenError(ctx, rel, err);
    return undefined;
  }
}

/** The findings of quick_check (integrity_check) and the index comparison; false when they found problems. */
function reportStructure(db: SqliteDatabase, ctx: DatabaseCheckContext, rel: string, tables: Map<string, Set<string>>, structure: Structure): boolean {
  const pragma = ctx.full ? 'integrity_check' : 'quick_check';
  const { problems } = structure;
  if (problems.length === 1 && problems[0] === 'ok') {
    // quick_check does not compare indexes with their tables; a cheap comparison does (checkIndexes.ts).
    let indexDamage = false;
    if (!ctx.full) {
      for (const m of structure.indexMismatches) {
        indexDamage = true;
        ctx.emit(makeFinding('sqlite/index', { run: null, path: rel, table: m.table }, `index ${m.index} does not match table ${m.table} (through the index: ${m.viaIndex}; the table: ${m.viaTable}); REINDEX rebuilds it from the table`));
      }
    }
    // A damaged index could mislead the chunked queries: such a database is read row by row.
    return !indexDamage;
  }
  if (problems.every(isIndexProblem)) {
    // Only index entries are wrong: the rows are all there, and rebuilding the indexes mends it without loss.
    const names = [...new Set(problems.map((p) => / index (\S+)$/.exec(p)?.[1]).filter(Boolean))];
    const quotedIdx = problems.slice(0, QUOTED_PROBLEMS).join('; ');
    ctx.emit(makeFinding('sqlite/index', { run: null, path: rel }, `PRAGMA integrity_check: index${names.length > 1 ? 'es' : ''} ${names.join(', ')} do${names.length > 1 ? '' : 'es'} not match ${names.length > 1 ? 'their tables' : 'its table'}: ${quotedIdx}${problems.length > QUOTED_PROBLEMS ? ` (${problems.length - QUOTED_PROBLEMS}${problems.length === 100 ? '+' : ''} more)` : ''}; REINDEX rebuilds ${names.length > 1 ? 'them' : 'it'} from the table`));
    return false;
  }
  const table = tableOfProblems(db, problems, tables);
  const quoted = problems.slice(0, QUOTED_PROBLEMS).join('; ');
  const rest = problems.length > QUOTED_PROBLEMS ? ` (${problems.length - QUOTED_PROBLEMS}${problems.length === 100 ? '+' : ''} more)` : '';
  ctx.emit(makeFinding('sqlite/integrity', { run: null, path: rel, ...(table ? { table } : {}) }, `PRAGMA ${pragma} failed${table ? ` in table ${table}` : ''}: ${quoted}${rest}`));
  return false;
}

/** "Tree 2 page 7 ..." names a b-tree by its root page; when every problem is in one table, name it. */
function tableOfProblems(db: SqliteDatabase, problems: string[], tables: Map<string, Set<string>>): string | undefined {
  const roots = new Set(problems.map((p) => /^Tree (\d+) /.exec(p)?.[1]).filter(Boolean));
  if (roots.size !== 1) return undefined;
  try {
    const name = db.prepare('SELECT tbl_name FROM sqlite_master WHERE rootpage = ?').pluck().get(Number([...roots][0])) as string | undefined;
    return name && tables.has(name) ? name : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Checks one JSON column; returns the rows read. In an intact database, SQLite judges the cells
 * and only the rows it cannot pass come into JavaScript (rowsNeedingJs); otherwise, or when that
 * scan fails, every row is streamed into JavaScript one by one (never a whole table in memory),
 * and the findings are the same either way.
 */
function scanJsonColumn(
  db: SqliteDatabase,
  spec: JsonColumn,
  columns: Set<string>,
  ctx: DatabaseCheckContext,
  rel: string,
  folder: FindingFolder,
  runs: Set<string> | undefined,
  intact: boolean,
): number {
  const hasRun = columns.has('run_name');
  const hasStep = columns.has('step');
  const isManifest = spec.shape === 'manifest';
  const select = [
    'rowid',
    hasRun ? 'run_name' : 'NULL',
    hasStep ? 'step' : 'NULL',
    `"${spec.column}"`,
    isManifest && columns.has('manifest_digest') ? 'manifest_digest' : 'NULL',
    isManifest && columns.has('size_bytes') ? 'size_bytes' : 'NULL',
  ];
  const mediaDir = join(ctx.dataDir, 'media');
  const blobsDir = join(ctx.dataDir, 'artifacts', ctx.project, 'blobs', 'sha256');
  /** Rows up to this rowid were reported by the SQLite-judged scan, which failed after them. */
  let reportedThrough = -Infinity;
  const checkRow = (row: unknown[]): void => {
    const [rowId, runName, step, cell, digest, sizeBytes] = row as [number, unknown, unknown, unknown, unknown, unknown];
    if (rowId <= reportedThrough) return;
    const run = typeof runName === 'string' ? runName : null;
    // Locations are built only for rows with something to report: most rows have nothing.
    // `run` stays null: in this layout a run is a name inside a database, not runs/<id>/, and the
    // run name is in the message.
    const where = () => ({ run: null, path: rel, table: spec.table, rowId });
    const what = () => `${spec.table} row ${rowId}${run !== null ? ` (run ${run}${hasStep && step !== null ? `, step ${step}` : ''})` : ''}`;
    const verdict = inspectCell(spec.shape, cell, spec.shape === 'metrics' ? step : undefined, spec.nullable);
    if (!verdict.ok) {
      folder.report(verdict.code, where(), `${what()}: ${spec.column} cell: ${verdict.why}`);
      return;
    }
    if (verdict.nonfinite) folder.report('sqlite/nonfinite-number', where(), `${what()}: bare NaN/Infinity in a TEXT cell, as Trackio 0.3.x/0.4.x wrote it: the values are intact, but Trackio 0.5 and later cannot load this run's metrics (orjson rejects the token: get_logs raises)`, { action: 'rewrite-nonfinite-cells', safe: false });
    if (spec.media) {
      for (const p of mediaPaths(verdict.value)) {
        // 0.3.x stored "media/<project>/..."; later versions the path under <data dir>/media.
        const file = p.startsWith('media/') ? resolve(ctx.dataDir, p) : resolve(mediaDir, p);
        const state = pathState(file);
        if (state === 'missing') folder.report('trackio/missing-media', where(), `${what()}: media file ${p} is missing`);
        else if (state !== 'present') folder.report('fs/unreadable', where(), `${what()}: media file ${p} cannot be looked at (${state}: a folder on its path cannot be read); not counted as missing`);
      }
    }
    if (isManifest) checkManifest(verdict.value as ManifestEntry[], digest, sizeBytes, where(), what(), blobsDir, folder);
  };

  if (intact) {
    const tally: RowTally = { rows: 0, runs: runs ? new Set() : undefined, doneThrough: -Infinity };
    let lastRowId = -Infinity;
    // One read transaction, so a live writer's rows do not come and go between the chunks.
    const ownTransaction = !db.inTransaction;
    try {
      if (ownTransaction) db.exec('BEGIN');
      if (canJudgeInSqlite(db, spec)) {
        for (const row of rowsNeedingJs(db, spec, select, hasRun, hasStep, tally)) {
          lastRowId = row[0] as number;
          checkRow(row);
        }
        if (runs) for (const r of tally.runs!) runs.add(r);
        return tally.rows;
      }
    } catch {
      // Read again row by row, which says where reading stops; the rows already reported are not reported twice.
      reportedThrough = Math.max(tally.doneThrough, lastRowId);
    } finally {
      if (ownTransaction && db.inTransaction) endRead(db);
    }
  }

  const stmt = db.prepare(`SELECT ${select.join(', ')} FROM "${spec.table}"`).raw(true);
  let rows = 0;
  let lastRowId: number | undefined;
  try {
    for (const row of stmt.iterate() as IterableIterator<unknown[]>) {
      rows++;
      lastRowId = row[0] as number;
      const runName = row[1];
      if (runs && typeof runName === 'string') runs.add(runName);
      checkRow(row);
    }
  } catch (err) {
    const after = lastRowId === undefined ? 'before its first row' : `after row ${lastRowId}`;
    ctx.emit(makeFinding('sqlite/read-error', { run: null, path: rel, table: spec.table, ...(lastRowId !== undefined ? { rowId: lastRowId } : {}) }, `reading ${spec.table} stopped ${after}: ${(err as Error).message}`));
  }
  return rows;
}

/**
 * Ends a read transaction. On a damaged database (scanned before quick_check's answer, on two
 * threads) COMMIT itself can fail with SQLITE_CORRUPT: then it is rolled back, and if even that
 * fails the row-by-row read that follows reports the damage.
 */
function endRead(db: SqliteDatabase): void {
  try {
    db.exec('COMMIT');
  } catch {
    try {
      db.exec('ROLLBACK');
    } catch {
      // Reported by the row-by-row read.
    }
  }
}

/** Bytes in a database file (0 when it cannot be looked at: the check goes on in one thread). */
function fileBytes(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/** 'present', 'missing' (nothing there), or the errno that kept us from knowing (EACCES: a folder on the way cannot be searched). */
function pathState(file: string): 'present' | 'missing' | string {
  try {
    statSync(file);
    return 'present';
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'EIO';
    return code === 'ENOENT' || code === 'ENOTDIR' ? 'missing' : code;
  }
}

function checkManifest(
  manifest: ManifestEntry[],
  digest: unknown,
  sizeBytes: unknown,
  where: { run: null; path: string; table: string; rowId: number },
  what: string,
  blobsDir: string,
  folder: FindingFolder,
): void {
  const computed = manifestDigest(manifest);
  const stored = typeof digest === 'string' ? digest.replace(/^sha256:/, '') : digest;
  if (stored !== computed) folder.report('trackio/manifest-digest', where, `${what}: manifest_digest is ${JSON.stringify(digest)}, the manifest's SHA-256 is ${computed}`);
  const total = manifest.reduce((n, e) => n + e.size, 0);
  if (Number(sizeBytes) !== total) folder.report('trackio/manifest-size', where, `${what}: size_bytes is ${String(sizeBytes)}, the manifest's sizes add up to ${total}`);
  for (const e of manifest) {
    // An external reference (s3://, https://, hf://) is recorded without staging its bytes: no blob to find.
    if (e.ref !== undefined) continue;
    const d = e.digest.replace(/^sha256:/, '');
    if (!/^[0-9a-f]{64}$/.test(d) || !existsSync(join(blobsDir, d.slice(0, 2), d))) {
      folder.report('trackio/missing-blob', where, `${what}: blob ${d} of ${e.path} is not in artifacts/`);
    }
  }
}
