import { rmSync } from 'node:fs';
import { loadSqlite } from '../loadSqlite.js';
import { openReadOnly } from '../openReadOnly.js';
import { readSqliteHeader } from '../readSqliteHeader.js';

export interface ReindexedCopy {
  tables: Array<{ name: string; copied: number; skipped: [] }>;
  copied: number;
}

/**
 * Damage to indexes alone mends without a salvage: a page-for-page copy (SQLite's backup API, the
 * -wal included) whose indexes REINDEX rebuilds from the tables, kept only when it then passes
 * integrity_check: every table b-tree is sound, so every row is there, with the schema, rowids
 * and sqlite_sequence exactly as they were. Undefined (and `dest` removed) when SQLite cannot
 * open or copy the file or the tables are damaged too: then it needs the page-level salvage.
 */
export async function reindexCopy(src: string, dest: string): Promise<ReindexedCopy | undefined> {
  const header = await readSqliteHeader(src).catch(() => undefined);
  if (!header) return undefined;
  const remove = () => {
    for (const p of [dest, `${dest}-journal`, `${dest}-wal`, `${dest}-shm`]) rmSync(p, { force: true });
  };
  let source: Awaited<ReturnType<typeof openReadOnly>>;
  try {
    source = await openReadOnly(src, header, false);
  } catch {
    return undefined;
  }
  try {
    await source.db.backup(dest);
  } catch {
    remove();
    return undefined;
  } finally {
    await source.close();
  }
  const copy = new (loadSqlite())(dest, { fileMustExist: true });
  try {
    copy.pragma('journal_mode = DELETE');
    copy.exec('REINDEX');
    const check = copy.prepare('PRAGMA integrity_check').pluck().all() as string[];
    if (check.length !== 1 || check[0] !== 'ok') throw new Error(check[0]);
    const names = copy.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").pluck().all() as string[];
    const tables = names.map((name) => ({ name, copied: Number(copy.prepare(`SELECT count(*) FROM "${name.replace(/"/g, '""')}"`).pluck().get()), skipped: [] as [] }));
    copy.close();
    return { tables, copied: tables.reduce((n, t) => n + t.copied, 0) };
  } catch {
    if (copy.open) copy.close();
    remove();
    return undefined;
  }
}
