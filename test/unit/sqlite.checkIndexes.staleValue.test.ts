// The default check's index comparison (checkIndexes) sums each indexed column by its type: an
// index entry whose value no longer matches its row must change one of those sums, for every
// plain index of every schema generation and every kind of value its columns hold.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeTrackioDir } from '../../fixtures/build/trackioDb.mjs';
import { checkIndexes } from '../../src/engine/layouts/trackioSqlite/checkIndexes.js';
import { loadSqlite } from '../helpers/internals.js';
import { tempDir } from '../helpers/cli.js';

const STALE = join(import.meta.dirname, '..', 'helpers', 'stale_index.py');

interface Case {
  db: string;
  table: string;
  index: string;
  column: string;
  change: 'int' | 'longer' | 'digit';
}

/** Every plain index with rows, each of its columns, each change its values allow. */
function cases(dataDir: string): Case[] {
  const Database = loadSqlite();
  const out: Case[] = [];
  for (const db of ['mnist.db', 'cifar.db', 'legacy.db']) {
    const h = new Database(join(dataDir, db), { readonly: true });
    try {
      const indexes = h.prepare("SELECT name, tbl_name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND sql NOT LIKE '% WHERE %'").all() as Array<{ name: string; tbl_name: string }>;
      for (const { name, tbl_name: table } of indexes) {
        for (const column of h.prepare('SELECT name FROM pragma_index_info(?)').pluck().all(name) as string[]) {
          const has = (where: string) => (h.prepare(`SELECT count(*) FROM "${table}" WHERE ${where}`).pluck().get() as number) > 0;
          if (has(`typeof("${column}") = 'integer'`)) out.push({ db, table, index: name, column, change: 'int' });
          if (has(`typeof("${column}") = 'text'`)) out.push({ db, table, index: name, column, change: 'longer' });
          if (has(`typeof("${column}") = 'text' AND "${column}" GLOB '[0-8]*'`)) out.push({ db, table, index: name, column, change: 'digit' });
        }
      }
    } finally {
      h.close();
    }
  }
  return out;
}

function mismatches(file: string): string[] {
  const db = new (loadSqlite())(file, { readonly: true });
  try {
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[];
    return checkIndexes(db, tables).map((m) => m.index);
  } finally {
    db.close();
  }
}

describe('checkIndexes: a stale indexed value', () => {
  it('every plain index, every column, integers and texts (longer, or another leading digit): the index is reported, and only that one', () => {
    const template = makeTrackioDir(tempDir());
    const all = cases(template);
    // The sweep reaches integer and text columns in all three generations.
    expect(new Set(all.map((c) => c.db)).size).toBe(3);
    expect(new Set(all.map((c) => c.change))).toEqual(new Set(['int', 'longer', 'digit']));
    for (const db of ['mnist.db', 'cifar.db', 'legacy.db']) expect(mismatches(join(template, db)), `${db} healthy`).toEqual([]);
    for (const c of all) {
      const dir = join(tempDir(), 'd');
      mkdirSync(dir, { recursive: true });
      const file = join(dir, c.db);
      copyFileSync(join(template, c.db), file);
      const r = spawnSync('python3', [STALE, file, c.index, 'value', c.column, c.change], { encoding: 'utf8' });
      const label = `${c.db} ${c.index}(${c.column}) ${c.change}`;
      expect(r.status, `${label}: ${r.stderr}`).toBe(0);
      expect(mismatches(file), label).toEqual([c.index]);
    }
  }, 120_000);
});
