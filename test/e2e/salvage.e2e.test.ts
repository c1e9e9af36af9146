import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeTrackioDir, trackioDamage } from '../../fixtures/build/trackioDb.mjs';
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

/** Every metrics row by id, with its log_id; the AUTOINCREMENT counter; integrity_check. */
function metricsOf(db: string): { ids: number[]; logIds: string[]; seq: number; check: string } {
  const d = new (loadSqlite())(db, { readonly: true, fileMustExist: true });
  try {
    return {
      ids: d.prepare('SELECT id FROM metrics ORDER BY id').pluck().all() as number[],
      logIds: d.prepare('SELECT log_id FROM metrics WHERE log_id IS NOT NULL ORDER BY log_id').pluck().all() as string[],
      seq: d.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'metrics'").pluck().get() as number,
      check: d.prepare('PRAGMA integrity_check').pluck().get() as string,
    };
  } finally {
    d.close();
  }
}

describe('row-level heal of a salvage from a verified backup snapshot', () => {
  /**
   * A project backed up, then written on (rows added, rows deleted: what the snapshot does not
   * know), then a metrics leaf page destroyed. Returns the rows the database held just before the damage.
   */
  function backedUpThenDamaged(root: string) {
    const dataDir = makeTrackioDir(root, { projects: [['mnist', 'current']], runs: 3, steps: 300 });
    const db = join(dataDir, 'mnist.db');
    const w = new (loadSqlite())(db);
    w.exec("UPDATE metrics SET log_id = 'log-' || id");
    w.close();
    const backups = join(root, 'backups');
    const b = runCli(['backup', dataDir, '--dest', backups], { env: { TRACKIO_FSCK_NO_SYNCFS: '1' } });
    expect(b.code, b.stdout + b.stderr).toBe(0);
    const after = new (loadSqlite())(db);
    const last = after.prepare('SELECT max(id) FROM metrics').pluck().get() as number;
    // Deleted after the snapshot, far from the page the damage hits: must stay deleted.
    after.prepare('DELETE FROM metrics WHERE id BETWEEN ? AND ?').run(last - 20, last - 16);
    const insert = after.prepare("INSERT INTO metrics (run_id, timestamp, run_name, step, metrics, log_id) VALUES ('r-new', '2026-11-29T00:00:00', 'run-new', ?, '{\"loss\": 1}', ?)");
    for (let i = 0; i < 12; i++) insert.run(i, `new-${i}`);
    after.close();
    const expected = metricsOf(db);
    trackioDamage.corruptPage(dataDir, 'mnist', 1);
    return { dataDir, db, backups, expected };
  }

  it('repair -y takes the rows of the damaged page back from the snapshot: every row, none twice, deleted ones stay deleted; undo restores the bytes', () => {
    const { dataDir, db, backups, expected } = backedUpThenDamaged(tempDir());
    const damaged = readFileSync(db);
    const before = snapshot(dataDir);
    const plan = runCli(['repair', '-n', '--backups', backups, dataDir]);
    expect(plan.stdout).toMatch(/rows on damaged pages come back from the copy in backup trackio_backup_\d{8}_\d{6}/);

    const repaired = runCli(['repair', '-y', '--backups', backups, dataDir]);
    expect(repaired.code, repaired.stdout + repaired.stderr).toBe(1);
    expect(repaired.stdout).toMatch(/\d+ row\(s\) the salvage could not read put back from backup trackio_backup_/);
    const got = metricsOf(db);
    expect(got.ids).toEqual(expected.ids);
    expect(got.logIds).toEqual(expected.logIds);
    expect(new Set(got.logIds).size).toBe(got.logIds.length);
    expect(got.check).toBe('ok');
    expect(got.seq).toBeGreaterThanOrEqual(expected.seq);
    const q = join(dataDir, 'quarantine', readdirSync(join(dataDir, 'quarantine'))[0]!);
    expect(readFileSync(join(q, 'mnist.db'))).toEqual(damaged);
    const why = JSON.parse(readFileSync(join(q, 'mnist.db.why.json'), 'utf8'));
    expect(why.healed.rows).toBeGreaterThan(0);
    expect(why.healed.absentElsewhere).toBe(5); // the rows deleted after the snapshot
    // The journal names the snapshot copy used, by path and SHA-256.
    const repairs = join(dataDir, '.trackio-fsck', 'repairs');
    const journal = JSON.parse(readFileSync(join(repairs, readdirSync(repairs)[0]!, 'journal.json'), 'utf8'));
    const op = journal.ops.find((o: { path: string }) => o.path === 'mnist.db');
    expect(op.database.snapshot.path).toMatch(/backups\/trackio_backup_\d{8}_\d{6}\/mnist\.db$/);
    expect(op.database.snapshot.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(op.database.healed.rows).toBe(why.healed.rows);
    expect(runCli(['check', dataDir]).code).toBe(0);

    const undone = runCli(['undo', dataDir]);
    expect(undone.code, undone.stdout + undone.stderr).toBe(0);
    expect(snapshot(dataDir, own)).toEqual(Object.fromEntries(Object.entries(before).filter(([p]) => !own(p))));
  });

  it('without a snapshot (or with one whose bytes rotted) repair still salvages what it can, with no row twice', () => {
    for (const rot of [false, true]) {
      const root = tempDir();
      const { dataDir, db, backups, expected } = backedUpThenDamaged(root);
      if (rot) {
        const snap = join(backups, readdirSync(backups).find((n) => n.startsWith('trackio_backup_'))!, 'mnist.db');
        const bytes = readFileSync(snap);
        bytes[bytes.length - 100] ^= 0x01;
        writeFileSync(snap, bytes);
      }
      const repaired = runCli(['repair', '-y', '--backups', rot ? backups : join(root, 'none'), dataDir]);
      expect(repaired.code, repaired.stdout + repaired.stderr).toBe(1);
      expect(repaired.stdout).not.toMatch(/put back from/);
      const got = metricsOf(db);
      expect(got.ids.length).toBeLessThan(expected.ids.length);
      expect(got.ids.every((id) => expected.ids.includes(id))).toBe(true);
      expect(new Set(got.logIds).size).toBe(got.logIds.length);
      expect(got.check).toBe('ok');
    }
  });
});
