import { createRequire } from 'node:module';
import type BetterSqlite3 from 'better-sqlite3';

export type SqliteDatabase = BetterSqlite3.Database;
export type SqliteDatabaseConstructor = typeof BetterSqlite3;

let loaded: SqliteDatabaseConstructor | undefined;

/**
 * better-sqlite3, loaded on first use (the CLI's start-up never pays for the native addon).
 * URI file names (`file:...?immutable=1`) are what lets check read a closed database without
 * creating -wal/-shm files beside it; the addon reads SQLITE_USE_URI once, when it loads, so it
 * is set here. Every engine module opens databases through this function, never by importing
 * better-sqlite3 itself.
 */
export function loadSqlite(): SqliteDatabaseConstructor {
  if (!loaded) {
    process.env.SQLITE_USE_URI ??= '1';
    loaded = createRequire(import.meta.url)('better-sqlite3') as SqliteDatabaseConstructor;
  }
  return loaded;
}

/** A `file:` URI for a path, with the characters URIs reserve escaped. */
export function sqliteUri(path: string, params: Record<string, string>): string {
  const escaped = path.replace(/[%?#]/g, (c) => '%' + c.charCodeAt(0).toString(16).padStart(2, '0'));
  const query = Object.entries(params).map(([k, v]) => `${k}=${v}`).join('&');
  return `file:${escaped}?${query}`;
}
