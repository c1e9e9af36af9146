import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadSqlite } from '../../src/engine/sqlite/loadSqlite.js';
import { sqliteCompare } from '../../src/engine/compare/sqliteOrder.js';

// compare merge-joins two ORDER BY streams in JavaScript: its order must be SQLite's, value for value.
describe('sqliteCompare', () => {
  it("orders any mix of NULL, integers, reals, text (astral characters included) and BLOBs exactly as SQLite's ORDER BY", () => {
    const Database = loadSqlite();
    const db = new Database(':memory:');
    db.exec('CREATE TABLE t (v)');
    const value = fc.oneof(
      fc.constant(null),
      fc.integer({ min: -1000, max: 1000 }),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.string({ unit: 'binary', maxLength: 6 }),
      fc.uint8Array({ maxLength: 6 }).map((u) => Buffer.from(u)),
    );
    fc.assert(
      fc.property(fc.array(value, { maxLength: 40 }), (values) => {
        db.exec('DELETE FROM t');
        const ins = db.prepare('INSERT INTO t VALUES (?)');
        for (const v of values) ins.run(v);
        const bySqlite = db.prepare('SELECT v FROM t ORDER BY v').pluck().all();
        const byUs = [...bySqlite].sort(sqliteCompare);
        expect(byUs).toEqual(bySqlite);
        // Sorting a shuffled copy must give SQLite's order too (a stable sort of sorted input proves little).
        expect([...bySqlite].reverse().sort(sqliteCompare)).toEqual(bySqlite);
      }),
      { numRuns: 60 },
    );
    db.close();
  });
});
