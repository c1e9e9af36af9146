// Issue 11 case 8: index-only damage is not "clean" for the default check, and --full finds it too.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeTrackioDir } from '../../fixtures/build/trackioDb.mjs';
import { check } from '../../src/index.js';
import { loadSqlite } from '../helpers/internals.js';
import { tempDir } from '../helpers/cli.js';
import { copyTree } from '../helpers/repairTree.js';

const STALE = join(import.meta.dirname, '..', 'helpers', 'stale_index.py');

/** One plain index of every table that holds rows, in each database of the fixture (one per table keeps the test quick). */
function indexesWithRows(dataDir: string): Array<{ db: string; index: string }> {
  const Database = loadSqlite();
  const out: Array<{ db: string; index: string }> = [];
  for (const db of ['mnist.db', 'legacy.db', 'cifar.db']) {
    const h = new Database(join(dataDir, db), { readonly: true });
    try {
      const idx = h.prepare("SELECT name, tbl_name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND sql NOT LIKE '% WHERE %'").all() as Array<{ name: string; tbl_name: string }>;
      const seen = new Set<string>();
      for (const { name, tbl_name } of idx) {
        if (seen.has(tbl_name)) continue;
        seen.add(tbl_name);
        if ((h.prepare(`SELECT count(*) FROM "${tbl_name}"`).pluck().get() as number) > 0) out.push({ db, index: name });
      }
    } finally {
      h.close();
    }
  }
  return out;
}

describe('an index that no longer matches its table (the rows are intact)', () => {
  it('every index, a stale entry or a missing one: default check and --full both report sqlite/index (exit 4), repairable without loss', async () => {
    const template = makeTrackioDir(tempDir());
    const targets = indexesWithRows(template);
    expect(targets.length).toBeGreaterThanOrEqual(3);
    // Each index once, a moved row and a deleted row in turn.
    for (const [i, { db, index }] of targets.entries()) {
      for (const how of [i % 2 === 0 ? 'update' : 'delete']) {
        const dataDir = join(tempDir(), 'd');
        copyTree(template, dataDir);
        const r = spawnSync('python3', [STALE, join(dataDir, db), index, how], { encoding: 'utf8' });
        expect(r.status, r.stderr).toBe(0);
        for (const full of [false, true]) {
          const { report } = await check(dataDir, { full, runs: [db.replace(/\.db$/, '')], manifest: false });
          const found = report.findings.filter((f) => f.path === db && (f.code === 'sqlite/index' || f.code === 'sqlite/integrity'));
          expect(report.exitCode, `${db} ${index} ${how}${full ? ' --full' : ''}`).toBe(4);
          expect(found.map((f) => f.code), `${db} ${index} ${how}${full ? ' --full' : ''}`).toContain('sqlite/index');
          expect(found.find((f) => f.code === 'sqlite/index')!.fix?.action).toBe('reindex-database');
        }
      }
    }
  }, 120_000);
});
