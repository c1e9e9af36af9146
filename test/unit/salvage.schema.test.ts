import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { salvagePages } from '../../src/engine/layouts/trackioSqlite/salvage/salvagePages.js';
import { buildSource, Database, readRows, writeCase } from './salvageSweep.helpers.js';

const root = mkdtempSync(join(tmpdir(), 'salvage-schema-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

type Db = InstanceType<typeof Database>;
const master = (db: Db) => db.prepare("SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_autoindex%' ORDER BY type, name").all();
const sequence = (db: Db) => db.prepare('SELECT name, seq FROM sqlite_sequence ORDER BY name').raw(true).all();

/**
 * What Trackio's own reads rely on, after a salvage, for every schema generation: the same
 * sqlite_master (tables, columns, indexes, the SQL text init_db wrote), the same sqlite_sequence
 * (no id handed out twice), the same journal mode, integrity_check, and every row. Both ways the
 * schema can come back: from the file's own sqlite_schema (its header refused by SQLite), and from
 * Trackio's schema of the generation the rows fit (sqlite_schema's page destroyed).
 */
describe.each(['v0.3', 'pre-0.24', 'current', 'upgraded'])('a salvaged %s database has Trackio\'s exact schema', (generation) => {
  const src = buildSource(join(root, generation, 'source'), generation, 40);
  const source = new Database(src.path, { readonly: true });
  const want = { master: master(source), sequence: sequence(source), journal: source.pragma('journal_mode', { simple: true }) };
  source.close();

  const damages: Array<[string, (b: Buffer) => void]> = [
    ['its header magic flipped (schema from sqlite_schema)', (b) => (b[0] ^= 0x01)],
    ['its sqlite_schema page zeroed (schema from the rows\' shape)', (b) => b.fill(0, 100, src.pageSize)],
  ];
  it.each(damages)('with %s', (name, damage) => {
    const bytes = Buffer.from(src.bytes);
    damage(bytes);
    const dir = join(root, generation, name.replace(/\W+/g, '-'));
    const out = join(dir, 'out.db');
    const r = salvagePages(writeCase(dir, bytes), out);
    expect(r.schemaFrom).toBe(name.includes('zeroed') ? generation : 'sqlite_schema');
    const db = new Database(out, { readonly: true });
    try {
      expect(master(db)).toEqual(want.master);
      expect(sequence(db)).toEqual(want.sequence);
      expect(db.pragma('journal_mode', { simple: true })).toBe(want.journal);
      expect(db.prepare('PRAGMA integrity_check').pluck().all()).toEqual(['ok']);
      expect(readRows(db)).toEqual(src.truth);
    } finally {
      db.close();
    }
  });
});
