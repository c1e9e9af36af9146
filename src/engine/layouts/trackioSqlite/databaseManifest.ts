import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readRegularFile } from '../../fs/openRegularFile.js';
import type { Finding } from '../../finding.js';
import { writeFileAtomic } from '../../fs/writeFileAtomic.js';
import { STATE_DIR } from '../../fs/ownNames.js';
import { makeFinding } from '../../makeFinding.js';
import { TOOL, VERSION } from '../../version.js';
import { databaseDigest } from './databaseDigest.js';
import { projectLiveness } from './isProjectLive.js';

/** DIR/.trackio-fsck/databases.json: what `manifest write` records of each project database. */
export const DATABASE_RECORD = 'databases.json';
const FORMAT = 'trackio-fsck-databases/1';

interface TableRecord {
  rows: number;
  maxRowid: number | null;
  sha256: string;
}

interface DatabaseRecord {
  sha256: string;
  schemaSha256: string;
  tables: Record<string, TableRecord>;
}

interface RecordFile {
  format: string;
  tool: string;
  version: string;
  writtenAt: string;
  databases: Record<string, DatabaseRecord>;
}

/**
 * Records each <project>.db by its content (databaseDigest), not its bytes: a live database's
 * bytes change with every checkpoint, its committed rows do not. Per table: row count, largest
 * row id and the SHA-256 of its rows. Written atomically; `databases` lists the .db paths (relative).
 */
export async function writeDatabaseManifest(realDataDir: string, databases: readonly string[], now = new Date()): Promise<number> {
  const liveness = await projectLiveness(realDataDir, databases.map((p) => p.replace(/\.db$/, '')));
  // Databases not chosen this time (manifest write --run) keep their entries while they exist.
  const old = await readDatabaseManifest(realDataDir);
  const kept = Object.entries(old?.databases ?? {}).filter(([p]) => !databases.includes(p) && existsSync(join(realDataDir, p)));
  const record: RecordFile = { format: FORMAT, tool: TOOL, version: VERSION, writtenAt: now.toISOString(), databases: Object.fromEntries(kept) };
  for (const path of [...databases].sort()) {
    let digest;
    try {
      digest = await databaseDigest(join(realDataDir, path), { live: liveness.get(path.replace(/\.db$/, ''))?.live });
    } catch {
      // A database SQLite cannot read now is not recorded anew (check reports it); the record of it
      // when it was readable is kept, so the manifest still proves what it held and cannot launder the damage.
      if (old?.databases[path]) record.databases[path] = old.databases[path];
      continue;
    }
    const tables: Record<string, TableRecord> = {};
    for (const t of digest.tables) if (t.name !== 'sqlite_sequence') tables[t.name] = { rows: t.rows, maxRowid: t.maxRowid, sha256: t.sha256 };
    record.databases[path] = { sha256: digest.sha256, schemaSha256: digest.schemaSha256, tables };
  }
  await writeFileAtomic(join(realDataDir, STATE_DIR, DATABASE_RECORD), JSON.stringify(record, null, 1) + '\n');
  return Object.keys(record.databases).length;
}

/** The recorded entries of these databases (null: not recorded); undefined when there is no record at all. */
export async function readDatabaseEntries(realDataDir: string, paths: readonly string[]): Promise<Record<string, unknown> | undefined> {
  const old = await readDatabaseManifest(realDataDir);
  if (!old) return undefined;
  return Object.fromEntries(paths.map((p) => [p, old.databases[p] ?? null]));
}

/** Puts entries back as they were (undo of a repair that re-recorded them); null removes one. */
export async function putDatabaseEntries(realDataDir: string, entries: Record<string, unknown>): Promise<void> {
  const old = await readDatabaseManifest(realDataDir);
  if (!old) return;
  for (const [p, e] of Object.entries(entries)) {
    if (e === null) delete old.databases[p];
    else old.databases[p] = e as DatabaseRecord;
  }
  await writeFileAtomic(join(realDataDir, STATE_DIR, DATABASE_RECORD), JSON.stringify(old, null, 1) + '\n');
}

async function readDatabaseManifest(realDataDir: string): Promise<RecordFile | undefined> {
  try {
    const bytes = await readRegularFile(join(realDataDir, STATE_DIR, DATABASE_RECORD));
    if (!bytes) return undefined;
    const doc = JSON.parse(bytes.toString('utf8')) as RecordFile;
    return doc.format === FORMAT ? doc : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Holds each recorded database against its record, in one pass per database:
 * - unchanged: every recorded table has the same rows (same count, same digest);
 * - `manifest/appended` (info): every recorded table still has exactly the rows recorded, up to the
 *   recorded largest row id (the digest of that prefix matches), and some have more rows after it:
 *   what Trackio's appends of metrics, logs and traces look like;
 * - `manifest/modified` (error): a recorded row changed or went (the prefix digest differs), or a
 *   recorded table is gone: the message names the tables. Trackio itself rewrites rows in a few
 *   cases (rename or delete of a run, alias moves, uploads cleared from pending_uploads): record
 *   those with `manifest write`.
 * - `manifest/missing`: the database is gone; `manifest/new`: a database or table not recorded.
 * `only` limits it to some databases (check --run). Returns false when there is no record.
 */
export async function verifyDatabaseManifest(realDataDir: string, emit: (f: Finding) => void, present: readonly string[], only?: ReadonlySet<string>): Promise<boolean> {
  const record = await readDatabaseManifest(realDataDir);
  if (!record) return false;
  const liveness = await projectLiveness(realDataDir, present.map((p) => p.replace(/\.db$/, '')));
  for (const path of present) {
    if (only && !only.has(path)) continue;
    if (!record.databases[path]) emit(makeFinding('manifest/new', { run: null, path }, 'database not in the manifest: created after it. Record it: trackio-fsck manifest write'));
  }
  for (const [path, rec] of Object.entries(record.databases)) {
    if (only && !only.has(path)) continue;
    if (!present.includes(path)) {
      emit(makeFinding('manifest/missing', { run: null, path }, 'recorded database is gone'));
      continue;
    }
    const prefixAt = Object.fromEntries(Object.entries(rec.tables).map(([t, r]) => [t, r.maxRowid]));
    let digest;
    try {
      digest = await databaseDigest(join(realDataDir, path), { live: liveness.get(path.replace(/\.db$/, ''))?.live, prefixAt });
    } catch {
      continue; // unreadable: check's own findings say why
    }
    if (digest.sha256 === rec.sha256) continue;
    const now = new Map(digest.tables.map((t) => [t.name, t]));
    const changed: string[] = [];
    const grew: string[] = [];
    for (const [name, was] of Object.entries(rec.tables)) {
      const t = now.get(name);
      if (!t) changed.push(`${name} (table gone)`);
      else if (t.sha256 === was.sha256) continue;
      else if (t.prefixSha256 === was.sha256 && t.prefixRows === was.rows) grew.push(`${name} +${t.rows - was.rows}`);
      else changed.push(`${name} (${was.rows} rows recorded, ${t.prefixRows ?? t.rows} of them up to row id ${was.maxRowid ?? '-'} now, content differs)`);
    }
    const added = digest.tables.filter((t) => t.name !== 'sqlite_sequence' && !(t.name in rec.tables)).map((t) => t.name);
    if (changed.length > 0) {
      emit(
        makeFinding(
          'manifest/modified',
          { run: null, path },
          `recorded rows changed: ${changed.join('; ')}. If the change was intended (a repair, a run renamed or deleted in Trackio), record it: trackio-fsck manifest write`,
          // A database is not restored file-wise from a backup: restore a snapshot (trackio-fsck restore) or record the change.
          { action: 'none' },
        ),
      );
    } else if (grew.length > 0 || added.length > 0) {
      const what = [...grew.map((g) => `${g} rows`), ...added.map((t) => `new table ${t}`)].join(', ');
      emit(makeFinding('manifest/appended', { run: null, path }, `only gained rows (${what}); every recorded row is intact`));
    }
  }
  return true;
}
