import type { SqliteDatabase } from './loadSqlite.js';
import { JSON_COLUMNS } from './trackioSchema.js';

const TOKENS = ['-Infinity', 'Infinity', 'NaN'] as const;

/**
 * The cell with each bare NaN, Infinity and -Infinity token (Python's json.dumps, as Trackio 0.3.x
 * and 0.4.x wrote metrics) turned into the string Trackio has written since ("NaN", "Infinity",
 * "-Infinity"), and every other byte as it was: numbers keep their spelling, keys their order,
 * spaces their place. Tokens inside strings are left alone. Undefined when there is no bare token.
 */
export function quoteNonfiniteTokens(text: string): string | undefined {
  let out = '';
  let from = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"') {
      inString = true;
      continue;
    }
    const token = TOKENS.find((t) => text.startsWith(t, i));
    if (token === undefined) continue;
    out += `${text.slice(from, i)}"${token}"`;
    i += token.length - 1;
    from = i + 1;
  }
  return from === 0 ? undefined : out + text.slice(from);
}

/**
 * Rewrites, in `db` (the fresh copy a database op works on), every TEXT JSON cell that only bare
 * non-finite tokens keep from being JSON: after quoteNonfiniteTokens it must parse, or the cell is
 * left as it was (check reports it still). One transaction. Returns the cells rewritten per table.
 */
export function rewriteNonfiniteCells(db: SqliteDatabase): Record<string, number> {
  const done: Record<string, number> = {};
  db.transaction(() => {
    for (const spec of JSON_COLUMNS) {
      const columns = db.prepare('SELECT name FROM pragma_table_info(?)').pluck().all(spec.table) as string[];
      if (!columns.includes(spec.column)) continue;
      const col = `"${spec.column}"`;
      // Only TEXT cells SQLite does not take for JSON can hold bare tokens outside strings.
      const rows = db.prepare(`SELECT rowid, ${col} FROM "${spec.table}" WHERE typeof(${col}) = 'text' AND NOT json_valid(${col})`).raw(true).all() as Array<[number, string]>;
      const update = db.prepare(`UPDATE "${spec.table}" SET ${col} = ? WHERE rowid = ?`);
      for (const [rowId, text] of rows) {
        const quoted = quoteNonfiniteTokens(text);
        if (quoted === undefined) continue;
        try {
          JSON.parse(quoted);
        } catch {
          continue;
        }
        update.run(quoted, rowId);
        done[spec.table] = (done[spec.table] ?? 0) + 1;
      }
    }
  })();
  return done;
}
