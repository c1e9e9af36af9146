import type { SqliteDatabase } from '../loadSqlite.js';

export interface UnsentRows {
  table: string;
  rows: number;
  /** The Spaces they are meant for. */
  spaces: string[];
}

const TABLES = ['metrics', 'system_metrics', 'traces'];

/** Rows with space_id set: queued for a Space and not sent yet (Trackio clears it once sent). Answered from its partial index. */
export function findUnsentRows(db: SqliteDatabase, tables: ReadonlyMap<string, ReadonlySet<string>>): UnsentRows[] {
  const out: UnsentRows[] = [];
  for (const table of TABLES) {
    if (!tables.get(table)?.has('space_id')) continue;
    const groups = db.prepare(`SELECT space_id, count(*) FROM "${table}" WHERE space_id IS NOT NULL GROUP BY space_id ORDER BY space_id`).raw(true).all() as Array<[unknown, number]>;
    if (groups.length === 0) continue;
    out.push({ table, rows: groups.reduce((n, [, c]) => n + c, 0), spaces: groups.map(([s]) => String(s)) });
  }
  return out;
}
