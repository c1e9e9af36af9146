import { lstat, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Finding } from '../../../finding.js';
import { makeFinding } from '../../../makeFinding.js';
import type { SqliteDatabase } from '../loadSqlite.js';
import { openReadOnly, type ReadOnlyDatabase } from '../openReadOnly.js';
import { readSqliteHeader } from '../readSqliteHeader.js';

/**
 * Dataset mode's sidecars (<project><suffix>.parquet), the table each mirrors and the columns its
 * rows are keyed by: Trackio's import_from_parquet replaces the table with the file's rows, ids
 * included (artifact_aliases has no id: artifact and alias are its key).
 */
const SIDECARS: ReadonlyArray<{ suffix: string; table: string; key: readonly string[] }> = [
  { suffix: '', table: 'metrics', key: ['id'] },
  { suffix: '_system', table: 'system_metrics', key: ['id'] },
  { suffix: '_configs', table: 'configs', key: ['id'] },
  { suffix: '_traces', table: 'traces', key: ['id'] },
  { suffix: '_artifacts', table: 'artifacts', key: ['id'] },
  { suffix: '_artifact_versions', table: 'artifact_versions', key: ['id'] },
  { suffix: '_artifact_aliases', table: 'artifact_aliases', key: ['artifact_id', 'alias'] },
  { suffix: '_run_artifact_links', table: 'run_artifact_links', key: ['id'] },
];

/** At most this many missing keys are named in a message; `args.missing` has the count. */
const NAMED = 5;

/**
 * Parquet sidecars holding rows their database no longer has. Trackio rewrites a sidecar (in
 * place) only when the database is newer and leaves an emptied table's old file, and its import
 * replaces the table with the file's rows: those rows would come back. Each sidecar's key columns
 * are read (readParquetKeys) and looked up in the database, opened read-only as check opens it;
 * the finding says how many rows the database lacks. When the file cannot be read (torn, not
 * parquet) or the database cannot be opened, its age is what is left to judge by: a sidecar older
 * than its database is reported as possibly stale, saying why it was not read.
 */
export async function checkStaleParquet(dataDir: string, projects: readonly string[], emit: (f: Finding) => void, isLive: (project: string) => boolean = () => false): Promise<void> {
  const names = new Set(await readdir(dataDir));
  for (const project of projects) {
    const dbPath = join(dataDir, `${project}.db`);
    const db = await stat(dbPath).catch(() => undefined);
    if (!db) continue;
    const present = SIDECARS.filter((s) => names.has(`${project}${s.suffix}.parquet`));
    if (present.length === 0) continue;
    // A -wal holds the newest writes: the database's data is as new as its newest file (as Trackio judges it).
    const wal = await stat(`${dbPath}-wal`).catch(() => undefined);
    const dbTime = Math.max(db.mtimeMs, wal?.mtimeMs ?? 0);
    const database = new LazyDatabase(dbPath, isLive(project));
    try {
      for (const sidecar of present) {
        const name = `${project}${sidecar.suffix}.parquet`;
        const st = await lstat(join(dataDir, name)).catch(() => undefined);
        if (!st?.isFile()) continue; // only regular files are read; a symlink is never followed
        const judged = await compare(join(dataDir, name), sidecar, database);
        if ('missing' in judged) {
          if (judged.missing.length === 0) continue;
          const n = judged.missing.length;
          const shown = judged.missing.slice(0, NAMED).map((k) => k.replace('\0', '/')).join(', ');
          emit(
            makeFinding(
              'trackio/stale-parquet',
              { run: null, path: name },
              `${name} holds ${n} ${sidecar.table} row${n === 1 ? '' : 's'} (of ${judged.rows}) that ${project}.db no longer has (${sidecar.key.join('/')} ${shown}${n > NAMED ? ', ...' : ''}): Trackio's import of it would bring ${n === 1 ? 'it' : 'them'} back`,
              { action: 'quarantine-file', safe: false },
              { table: sidecar.table, rows: judged.rows, missing: n },
            ),
          );
          continue;
        }
        if (st.mtimeMs >= dbTime) continue;
        emit(
          makeFinding(
            'trackio/stale-parquet',
            { run: null, path: name },
            `${name} is ${age(dbTime - st.mtimeMs)} older than ${project}.db and could not be compared with it (${judged.why}): it may hold rows the database no longer has (an emptied table keeps its old parquet), which Trackio's import would bring back`,
            { action: 'quarantine-file', safe: false },
            { table: sidecar.table, unread: judged.why },
          ),
        );
      }
    } finally {
      await database.close();
    }
  }
}

/** The sidecar's keys the database's table lacks, or why that could not be known. */
async function compare(path: string, sidecar: (typeof SIDECARS)[number], database: LazyDatabase): Promise<{ rows: number; missing: string[] } | { why: string }> {
  let parquet;
  try {
    // The parquet reader is loaded only for a data dir that has sidecars (dataset mode is rare).
    const { readParquetKeys } = await import('./readParquetKeys.js');
    parquet = await readParquetKeys(path, sidecar.key);
  } catch (err) {
    return { why: `not readable as parquet: ${(err as Error).message}` };
  }
  const db = await database.get();
  if (typeof db === 'string') return { why: db };
  const columns = new Set(db.prepare('SELECT name FROM pragma_table_info(?)').pluck().all(sidecar.table) as string[]);
  // A table the database no longer has at all: every row of the sidecar is one it lacks.
  if (columns.size === 0) return { rows: parquet.rows, missing: parquet.keys };
  if (sidecar.key.some((c) => !columns.has(c))) return { why: `table ${sidecar.table} has no ${sidecar.key.join('/')} column` };
  // Bound as text: SQLite gives it the column's affinity, so an INTEGER id is found through the
  // primary key and a TEXT one (traces) through its index, either way one probe per row.
  const lookup = db.prepare(`SELECT 1 FROM "${sidecar.table}" WHERE ${sidecar.key.map((c) => `"${c}" = ?`).join(' AND ')} LIMIT 1`).pluck();
  const missing: string[] = [];
  for (const key of parquet.keys) if (lookup.get(...key.split('\0')) === undefined) missing.push(key);
  return { rows: parquet.rows, missing };
}

/** The project database, opened read-only (as check opens it) the first time a readable sidecar needs it. */
class LazyDatabase {
  private opened: ReadOnlyDatabase | string | undefined;

  constructor(
    private readonly path: string,
    private readonly live: boolean,
  ) {}

  async get(): Promise<SqliteDatabase | string> {
    if (this.opened === undefined) {
      try {
        const header = await readSqliteHeader(this.path);
        this.opened = header ? await openReadOnly(this.path, header, this.live) : 'the database has no SQLite header';
      } catch (err) {
        this.opened = `the database cannot be opened: ${(err as Error).message}`;
      }
    }
    return typeof this.opened === 'string' ? this.opened : this.opened.db;
  }

  async close(): Promise<void> {
    if (this.opened !== undefined && typeof this.opened !== 'string') await this.opened.close();
  }
}

function age(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s >= 2 * 86400) return `${Math.round(s / 86400)} days`;
  if (s >= 2 * 3600) return `${Math.round(s / 3600)} hours`;
  if (s >= 120) return `${Math.round(s / 60)} minutes`;
  return `${s} s`;
}
