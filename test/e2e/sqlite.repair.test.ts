import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { holdProjectLock, leaveWalBehind, makeTrackioDir, trackioDamage } from '../../fixtures/build/trackioDb.mjs';
import { check, undoRepair } from '../../src/index.js';
import { databaseDigest, loadSqlite } from '../helpers/internals.js';
import { runCli, tempDir } from '../helpers/cli.js';
import { killAtEveryPoint } from '../helpers/faults.js';
import { copyToTemp, snapshot } from '../helpers/repairTree.js';

const own = (p: string) => p.startsWith('.trackio-fsck');
const quarantineOf = (dataDir: string) => join(dataDir, 'quarantine', readdirSync(join(dataDir, 'quarantine'))[0]!);

function count(db: string, sql: string): unknown {
  const d = new (loadSqlite())(db, { readonly: true, fileMustExist: true });
  try {
    return d.prepare(sql).pluck().get();
  } finally {
    d.close();
  }
}

/** A project with rows of bad JSON whose latest rows are still in the -wal, plus a damaged 400-step project. */
function damagedDir(): string {
  const dataDir = makeTrackioDir(tempDir(), { projects: [['mnist', 'current'], ['big', 'pre-0.24']], steps: 400 });
  trackioDamage.invalidJsonCell(dataDir, 'mnist', 2);
  trackioDamage.wrongShapeCell(dataDir, 'mnist', 3);
  trackioDamage.corruptPage(dataDir, 'big');
  trackioDamage.invalidJsonCell(dataDir, 'big', 1);
  return dataDir;
}

describe('repair of a trackio-sqlite data dir', () => {
  it('quarantines bad rows (JSONL with table and id) and salvages a damaged database; second check clean; undo gives the exact bytes back', async () => {
    const dataDir = damagedDir();
    await leaveWalBehind(dataDir, 'mnist', 3);
    const before = snapshot(dataDir);

    const dry = runCli(['repair', '-n', dataDir]);
    expect(dry.code).toBe(4);
    expect(dry.stdout).toMatch(/salvage-database\s+big\.db/);
    expect(dry.stdout).toMatch(/quarantine-rows\s+mnist\.db\n.*2 in metrics/);
    expect(snapshot(dataDir)).toEqual(before);
    expect(runCli(['repair', '-p', dataDir]).code).toBe(4); // neither fix is lossless: --preen leaves them
    expect(snapshot(dataDir)).toEqual(before);

    const r = runCli(['repair', '-y', dataDir, '--json']);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    const q = quarantineOf(dataDir);
    expect(existsSync(join(dataDir, 'mnist.db-wal'))).toBe(false);
    expect(existsSync(join(q, 'mnist.db-wal'))).toBe(true);
    const lines = readFileSync(join(q, 'mnist.db.rows.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => [l.table, l.rowid, l.row.step])).toEqual([['metrics', 2, 1], ['metrics', 3, 2]]);
    expect(Buffer.from(lines[0].row.metrics, 'base64').toString()).toBe('{"loss": 0.5, "acc');
    // The rows the killed writer left in the -wal survive; its -wal and -shm went to quarantine with the old bytes.
    expect(count(join(dataDir, 'mnist.db'), "SELECT count(*) FROM metrics WHERE run_name = 'late'")).toBe(3);
    expect(count(join(dataDir, 'mnist.db'), 'SELECT count(*) FROM metrics WHERE id IN (2, 3)')).toBe(0);
    expect(readFileSync(join(dataDir, 'mnist.db')).readUInt8(18)).toBe(2); // still a WAL database, as Trackio made it
    // Salvage: readable rows kept, the original in quarantine, the bad row of big quarantined in the same rebuild.
    expect(existsSync(join(q, 'big.db'))).toBe(true);
    expect(count(join(dataDir, 'big.db'), 'PRAGMA integrity_check')).toBe('ok');
    const kept = count(join(dataDir, 'big.db'), 'SELECT count(*) FROM metrics') as number;
    expect(kept).toBeGreaterThan(600);
    expect(kept).toBeLessThan(800);
    expect(count(join(dataDir, 'big.db'), 'SELECT count(*) FROM metrics WHERE id = 1')).toBe(0);
    expect(count(join(dataDir, 'big.db'), 'SELECT count(*) FROM configs')).toBe(2);
    const why = JSON.parse(readFileSync(join(q, 'big.db.why.json'), 'utf8'));
    expect(why.skipped.length).toBeGreaterThan(0);
    expect((await check(dataDir)).report.findings.filter((f) => f.severity !== 'info')).toEqual([]);

    const u = runCli(['undo', dataDir]);
    expect(u.code, u.stdout + u.stderr).toBe(0);
    expect(snapshot(dataDir, own)).toEqual(Object.fromEntries(Object.entries(before).filter(([p]) => !own(p))));
  });

  it('a live project (flock on <project>.lock) is left alone without --force', async () => {
    const dataDir = makeTrackioDir(tempDir(), { projects: [['p', 'current']] });
    trackioDamage.invalidJsonCell(dataDir, 'p');
    const before = snapshot(dataDir);
    const lock = await holdProjectLock(dataDir, 'p');
    try {
      const r = runCli(['repair', '-y', dataDir]);
      expect(r.code).toBe(4);
      expect(r.stdout).toMatch(/project p is being written right now/);
      // (Reading a WAL database through SQLite's locking, as check does for a live project, may add -wal/-shm.)
      const mine = (p: string) => own(p) || /\.db-(wal|shm)$/.test(p);
      expect(snapshot(dataDir, mine)).toEqual(Object.fromEntries(Object.entries(before).filter(([p]) => !mine(p))));
    } finally {
      await lock.release();
    }
  });

  it('recover (--preen) moves -wal/-shm without a database to quarantine: they move intact', () => {
    const dataDir = makeTrackioDir(tempDir(), { projects: [['p', 'current']] });
    trackioDamage.orphanWal(dataDir, 'gone');
    const r = runCli(['recover', dataDir]);
    expect(r.code, r.stdout).toBe(1);
    expect(readdirSync(dataDir).filter((n) => n.startsWith('gone'))).toEqual([]);
    expect(readdirSync(quarantineOf(dataDir)).sort()).toEqual(['gone.db-shm', 'gone.db-shm.why.json', 'gone.db-wal', 'gone.db-wal.why.json']);
  });
});

describe('a database repair killed at any durable point (SIGKILL)', () => {
  it('salvage + row quarantine: finished by `repair` to the same rows, or undone by `undo` to the exact bytes', async () => {
    const template = makeTrackioDir(tempDir(), { projects: [['big', 'current']], steps: 300, artifacts: false });
    trackioDamage.corruptPage(template, 'big');
    trackioDamage.invalidJsonCell(template, 'big', 1);
    await leaveWalBehind(template, 'big', 2);
    const original = snapshot(template, own);
    const copyOf = copyToTemp;
    const reference = copyOf(template);
    expect(runCli(['repair', '-y', reference]).code).toBe(1);
    const repaired = await databaseDigest(join(reference, 'big.db'));

    const points = await killAtEveryPoint(() => copyOf(template), (d) => ['repair', '-y', d], 1, async (dataDir, n) => {
      const killed = copyOf(dataDir);

      const resumed = runCli(['repair', '-y', dataDir]);
      expect([0, 1], `resume after point ${n}: ${resumed.stdout}${resumed.stderr}`).toContain(resumed.code);
      expect((await databaseDigest(join(dataDir, 'big.db'))).sha256, `rows after resuming from point ${n}`).toBe(repaired.sha256);
      expect(readdirSync(dataDir).filter((f) => f.startsWith('big.db-') || f.startsWith('.trackio-fsck-tmp'))).toEqual([]);
      expect((await check(dataDir)).report.exitCode).toBe(0);

      const undone = n % 2 === 1 ? runCli(['undo', killed]).code : (await undoRepair(killed, { command: 'test' })) && 0;
      expect(undone, `undo after point ${n}`).toBe(0);
      expect(snapshot(killed, own), `exact bytes after undo from point ${n}`).toEqual(original);
    }, 60);
    expect(points).toBeGreaterThan(8);
  }, 120_000);
});
