import { createHash, type Hash } from 'node:crypto';
import { FsckError } from '../../errors.js';
import { openReadOnly } from './openReadOnly.js';
import { readSqliteHeader } from './readSqliteHeader.js';

export interface TableDigest {
  name: string;
  rows: number;
  /** SHA-256 over the table's rows in row-id order (see databaseDigest). */
  sha256: string;
  /** The largest row id (rowid tables); null for an empty or WITHOUT ROWID table. */
  maxRowid: number | null;
  /** With `prefixAt`: the SHA-256 over the rows with row id <= the given one, hashed in the same pass. */
  prefixSha256?: string;
  /** With `prefixAt`: how many rows that prefix holds. */
  prefixRows?: number;
}

export interface DatabaseDigest {
  /** SHA-256 over the schema and every table's name, row count and digest: one value per database state. */
  sha256: string;
  /** SHA-256 of the schema: every sqlite_master row (type, name, table, sql) in name order. */
  schemaSha256: string;
  tables: TableDigest[];
}

const FLUSH_BYTES = 64 * 1024;

/**
 * What a manifest records for a live database: its logical content, not its bytes. A .db file's
 * bytes change with page layout, free pages, VACUUM and checkpoints of the -wal, none of which
 * change the data; its rows do not. Per table (sqlite_stat* excluded: ANALYZE output), the rows
 * are read in row-id order (primary-key order for WITHOUT ROWID tables) through SQLite, so the
 * -wal is included, and each value is hashed with its storage class:
 *   row:     'R', then its rowid (as an INTEGER; none for WITHOUT ROWID) and each column, as values:
 *   NULL:    'n'
 *   INTEGER: 'i' decimal '\0'          (64-bit exact)
 *   REAL:    'r' 8 bytes IEEE-754 big-endian
 *   TEXT:    't' byte length '\0' UTF-8 bytes
 *   BLOB:    'b' byte length '\0' bytes
 * The database digest is SHA-256 over "schema <schemaSha256>\n" and "<table>\t<rows>\t<sha256>\n"
 * per table in name order. Two databases with the same rows and schema have the same digest
 * whatever their page size, journal mode or history. Opened like check: the directory is left as found.
 */
export async function databaseDigest(dbPath: string, options: { live?: boolean; prefixAt?: Readonly<Record<string, number | null>> } = {}): Promise<DatabaseDigest> {
  const header = await readSqliteHeader(dbPath);
  if (!header) throw new FsckError(`${dbPath} is not a SQLite database`);
  const opened = await openReadOnly(dbPath, header, options.live ?? false);
  try {
    const db = opened.db;
    const schema = db.prepare('SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY name, type').raw(true).all() as unknown[][];
    const schemaHash = createHash('sha256');
    for (const row of schema) schemaHash.update(row.map((v) => String(v ?? '')).join('\0') + '\n');
    const schemaSha256 = schemaHash.digest('hex');
    const tableNames = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND sql NOT LIKE 'CREATE VIRTUAL%' AND name NOT LIKE 'sqlite_stat%' ORDER BY name")
      .pluck()
      .all() as string[];
    const tables: TableDigest[] = [];
    for (const name of tableNames) {
      const q = `"${name.replace(/"/g, '""')}"`;
      const withoutRowid = (db.prepare('SELECT wr FROM pragma_table_list WHERE name = ?').pluck().get(name) as number | undefined) === 1;
      // sqlite_sequence's row ids are SQLite's bookkeeping (the order tables were first written), not data.
      const sql =
        name === 'sqlite_sequence'
          ? 'SELECT name, seq FROM sqlite_sequence ORDER BY name'
          : withoutRowid
            ? `SELECT * FROM ${q} ORDER BY 1`
            : `SELECT rowid, * FROM ${q} ORDER BY rowid`;
      const stmt = db.prepare(sql).raw(true).safeIntegers(true);
      const hash = createHash('sha256');
      const buf = new RowEncoder(hash);
      const rowids = !withoutRowid && name !== 'sqlite_sequence';
      // A manifest's question "are the rows I recorded still there, unchanged?" is answered in the
      // same pass: the hash state at the recorded last row id is the digest of that prefix.
      const bound = rowids && options.prefixAt && name in options.prefixAt ? options.prefixAt[name] : undefined;
      let prefix: { sha256: string; rows: number } | undefined;
      let rows = 0;
      let maxRowid: number | null = null;
      for (const row of stmt.iterate() as IterableIterator<unknown[]>) {
        if (rowids) {
          const id = Number(row[0] as bigint);
          if (bound !== undefined && prefix === undefined && (bound === null || id > bound)) {
            buf.flush();
            prefix = { sha256: hash.copy().digest('hex'), rows };
          }
          maxRowid = id;
        }
        rows++;
        buf.text('R');
        for (const v of row) buf.value(v);
      }
      buf.flush();
      const sha256 = hash.digest('hex');
      if (bound !== undefined && prefix === undefined) prefix = { sha256, rows };
      tables.push({ name, rows, sha256, maxRowid, ...(prefix ? { prefixSha256: prefix.sha256, prefixRows: prefix.rows } : {}) });
    }
    const total = createHash('sha256').update(`schema ${schemaSha256}\n`);
    for (const t of tables) total.update(`${t.name}\t${t.rows}\t${t.sha256}\n`);
    return { sha256: total.digest('hex'), schemaSha256, tables };
  } finally {
    await opened.close();
  }
}

/** Collects encoded values in one buffer and hashes it in 64 KiB pieces: one hash call per value would dominate. */
class RowEncoder {
  private buf = Buffer.allocUnsafe(FLUSH_BYTES * 2);
  private len = 0;

  constructor(private readonly hash: Hash) {}

  value(v: unknown): void {
    if (v === null) this.text('n');
    else if (typeof v === 'bigint') this.text(`i${v}\0`);
    else if (typeof v === 'number') {
      this.text('r');
      this.ensure(8);
      this.buf.writeDoubleBE(v, this.len);
      this.len += 8;
    } else if (typeof v === 'string') {
      const bytes = Buffer.byteLength(v);
      this.text(`t${bytes}\0`);
      this.ensure(bytes);
      this.len += this.buf.write(v, this.len, 'utf8');
    } else if (Buffer.isBuffer(v)) {
      this.text(`b${v.length}\0`);
      this.ensure(v.length);
      v.copy(this.buf, this.len);
      this.len += v.length;
    }
    if (this.len >= FLUSH_BYTES) this.flush();
  }

  text(s: string): void {
    this.ensure(s.length * 3);
    this.len += this.buf.write(s, this.len, 'utf8');
  }

  flush(): void {
    if (this.len > 0) this.hash.update(this.buf.subarray(0, this.len));
    this.len = 0;
  }

  private ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    this.flush();
    if (n > this.buf.length) this.buf = Buffer.allocUnsafe(n);
  }
}
