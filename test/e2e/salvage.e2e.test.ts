import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeTrackioDir } from '../../fixtures/build/trackioDb.mjs';
import { loadSqlite } from '../../src/engine/layouts/trackioSqlite/loadSqlite.js';
import { runCli, tempDir } from '../helpers/cli.js';
import { snapshot } from '../helpers/repairTree.js';

const own = (p: string) => p.startsWith('.trackio-fsck');

function rows(db: string): { metrics: number; configs: number; check: string } {
  const d = new (loadSqlite())(db, { readonly: true, fileMustExist: true });
  try {
    return {
      metrics: d.prepare('SELECT count(*) FROM metrics').pluck().get() as number,
      configs: d.prepare('SELECT count(*) FROM configs').pluck().get() as number,
      check: d.prepare('PRAGMA integrity_check').pluck().get() as string,
    };
  } finally {
    d.close();
  }
}

describe('repair of a database whose header SQLite refuses (page-level salvage)', () => {
  it('check offers a salvage, repair -y gets every row back (exit 1), undo restores the exact original bytes', () => {
    const dataDir = makeTrackioDir(tempDir(), { projects: [['mnist', 'current']], runs: 3, steps: 300 });
    const db = join(dataDir, 'mnist.db');
    // Deleted rows leave free pages behind: the salvage finds them but must not bring them back.
    const w = new (loadSqlite())(db);
    w.prepare("DELETE FROM metrics WHERE run_name = 'run-2'").run();
    w.pragma('wal_checkpoint(TRUNCATE)');
    w.close();
    const healthy = rows(db);
    const bytes = readFileSync(db);
    bytes[0] ^= 0x01; // "SQLite format 3" -> "RQLite format 3": SQLite says "file is not a database"
    writeFileSync(db, bytes);
    const before = snapshot(dataDir);

    const checked = runCli(['check', '--json', dataDir]);
    expect(checked.code).toBe(4);
    const findings = JSON.parse(checked.stdout).findings as Array<{ code: string; fix?: { action: string } }>;
    expect(findings.find((f) => f.code === 'sqlite/damaged-header')?.fix?.action).toBe('salvage-database');

    const repaired = runCli(['repair', '-y', dataDir]);
    expect(repaired.code, repaired.stdout + repaired.stderr).toBe(1);
    expect(rows(db)).toEqual({ ...healthy, check: 'ok' });
    const q = join(dataDir, 'quarantine', readdirSync(join(dataDir, 'quarantine'))[0]!);
    expect(readFileSync(join(q, 'mnist.db'))).toEqual(bytes); // the original, kept as it was
    const why = JSON.parse(readFileSync(join(q, 'mnist.db.why.json'), 'utf8'));
    expect(why.method).toBe('pages');
    const unplaced = readFileSync(join(q, 'mnist.db.unplaced.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(unplaced.length).toBeGreaterThan(0);
    expect(unplaced.every((r) => r.why.startsWith('on a free page') && (r.table !== 'metrics' || r.row.run_name === 'run-2'))).toBe(true);
    expect(runCli(['check', dataDir]).code).toBe(0);

    const undone = runCli(['undo', dataDir]);
    expect(undone.code, undone.stdout + undone.stderr).toBe(0);
    expect(snapshot(dataDir, own)).toEqual(Object.fromEntries(Object.entries(before).filter(([p]) => !own(p))));
  });

  it('a file with no b-tree pages at all is still not-a-database: restore from a snapshot, nothing to repair', () => {
    const dataDir = makeTrackioDir(tempDir(), { projects: [['mnist', 'current']], runs: 1, steps: 5 });
    writeFileSync(join(dataDir, 'junk.db'), Buffer.alloc(8192, 0x41));
    const checked = runCli(['check', '--json', dataDir]);
    const findings = JSON.parse(checked.stdout).findings as Array<{ code: string; path: string; fix?: unknown }>;
    const junk = findings.find((f) => f.path === 'junk.db')!;
    expect(junk.code).toBe('sqlite/not-a-database');
    expect(junk.fix).toBeUndefined();
  });
});
