import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { writeProject } from '../../fixtures/build/trackioDb.mjs';
import { loadSqlite } from '../../src/engine/layouts/trackioSqlite/loadSqlite.js';
import { salvageDatabase } from '../../src/engine/layouts/trackioSqlite/salvageDatabase.js';

const Database = loadSqlite();
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function content(path: string): unknown {
  const db = new Database(path, { readonly: true });
  try {
    return {
      master: db.prepare('SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY name').all(),
      metrics: db.prepare('SELECT rowid, * FROM metrics ORDER BY rowid').raw(true).all(),
      sequence: db.prepare('SELECT * FROM sqlite_sequence ORDER BY name').all(),
      check: db.prepare('PRAGMA integrity_check').pluck().get(),
    };
  } finally {
    db.close();
  }
}

describe('damage to indexes alone', () => {
  it('mends by REINDEX on a copy: every row, the schema and sqlite_sequence exactly as they were', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'salvage-reindex-'));
    dirs.push(dir);
    const path = writeProject(dir, 'p', { generation: 'current', runs: 3, steps: 300, media: false });
    const before = content(path);
    const { pageno, pageSize } = (() => {
      const db = new Database(path, { readonly: true });
      try {
        return {
          pageno: db.prepare("SELECT pageno FROM dbstat WHERE name = 'idx_metrics_run_step' AND pagetype = 'leaf' ORDER BY pageno LIMIT 1").pluck().get() as number,
          pageSize: db.pragma('page_size', { simple: true }) as number,
        };
      } finally {
        db.close();
      }
    })();
    const bytes = readFileSync(path);
    // Swap two index entries' bytes inside the page: the index no longer matches the table.
    bytes.fill(0x41, (pageno - 1) * pageSize + pageSize - 200, (pageno - 1) * pageSize + pageSize - 150);
    writeFileSync(path, bytes);
    const damaged = new Database(path, { readonly: true });
    let problems: unknown;
    try {
      problems = damaged.prepare('PRAGMA integrity_check').pluck().all();
    } catch (err) {
      problems = (err as Error).message;
    }
    expect(problems).not.toEqual(['ok']);
    damaged.close();

    const result = await salvageDatabase(path, join(dir, 'out.db'));
    expect(result.method).toBe('reindex');
    expect(content(join(dir, 'out.db'))).toEqual({ ...(before as object), check: 'ok' });
  });
});
