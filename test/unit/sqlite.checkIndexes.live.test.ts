import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeTrackioDir } from '../../fixtures/build/trackioDb.mjs';
import { checkIndexes } from '../../src/engine/layouts/trackioSqlite/checkIndexes.js';
import { loadSqlite, type SqliteDatabase } from '../../src/engine/layouts/trackioSqlite/loadSqlite.js';
import { tempDir } from '../helpers/cli.js';

// Found by running check beside real Trackio 0.36 logging into the project (bulk_log every few
// hundred ms): each check reported sqlite/index errors on a healthy database, because the table's
// scan and each index's scan were separate reads and Trackio committed rows between them. Here a
// second connection commits a row right after the table's scan, every time, deterministically.
describe('checkIndexes beside a live writer', () => {
  it('rows committed between its scans do not look like index damage: one snapshot for all of them', () => {
    const dataDir = makeTrackioDir(tempDir(), { projects: [['mnist', 'current']] });
    const path = join(dataDir, 'mnist.db');
    const Database = loadSqlite();
    const reader = new Database(path, { readonly: true });
    const writer = new Database(path);
    let commits = 0;
    const insert = writer.prepare("INSERT INTO metrics (run_id, timestamp, run_name, step, metrics) VALUES ('live-0000', '2026-01-01T10:40:00+00:00', 'live', ?, '{}')");
    // The reader as checkIndexes sees it, but each table scan is followed by the writer's commit.
    const racing = new Proxy(reader, {
      get(target, prop) {
        if (prop !== 'prepare') return Reflect.get(target, prop, target);
        return (sql: string) => {
          const stmt = target.prepare(sql);
          if (!sql.includes('NOT INDEXED')) return stmt;
          return { raw: () => ({ get: () => { const row = stmt.raw(true).get(); insert.run(commits++); return row; } }) };
        };
      },
    }) as SqliteDatabase;
    try {
      expect(checkIndexes(racing, ['metrics', 'configs', 'system_metrics', 'alerts'])).toEqual([]);
      expect(commits).toBeGreaterThan(0);
      // The rows did land: a fresh look sees them, and still no mismatch.
      expect(reader.prepare("SELECT count(*) FROM metrics WHERE run_name = 'live'").pluck().get()).toBe(commits);
      expect(checkIndexes(reader, ['metrics'])).toEqual([]);
      expect(reader.inTransaction).toBe(false);
    } finally {
      reader.close();
      writer.close();
    }
  });
});
