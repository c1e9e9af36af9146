import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { holdProjectLock, leaveWalBehind, makeTrackioDir, trackioDamage, writeProject } from '../../fixtures/build/trackioDb.mjs';
import { runCli, tempDir } from '../helpers/cli.js';
import { applyRestore, planRestore } from '../../src/index.js';
import { databaseDigest, loadSqlite } from '../helpers/internals.js';

const sha256sumAvailable = spawnSync('sha256sum', ['--version']).status === 0;
const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
});

function backupJson(dataDir: string, dest: string) {
  const r = runCli(['backup', dataDir, '--dest', dest, '--json'], { env: { TRACKIO_FSCK_NO_SYNCFS: '1' } });
  return { ...r, doc: r.stdout ? JSON.parse(r.stdout) : undefined };
}

function rowsOf(db: string, sql: string): unknown[] {
  const d = new (loadSqlite())(db, { readonly: true, fileMustExist: true });
  try {
    return d.prepare(sql).pluck().all();
  } finally {
    d.close();
  }
}

/**
 * A Trackio-like writer that stays live: WAL, one committed transaction per row, never
 * checkpointing, reporting on stdout how many rows it has committed so far.
 */
function startWriter(db: string): { child: ChildProcess; committed: (atLeast: number) => Promise<number> } {
  const script = `
    const Database = require(${JSON.stringify(createRequire(import.meta.url).resolve('better-sqlite3'))});
    const db = new Database(${JSON.stringify(db)});
    db.pragma('journal_mode = WAL');
    db.pragma('wal_autocheckpoint = 0');
    const ins = db.prepare("INSERT INTO metrics (run_id, timestamp, run_name, step, metrics) VALUES ('live-0000', '2026-01-02T00:00:00+00:00', 'live', ?, ?)");
    let n = 0;
    setInterval(() => {
      for (let i = 0; i < 20; i++) ins.run(n++, Buffer.from(JSON.stringify({ loss: 1 / (n + 1), blob: 'x'.repeat(200) })));
      process.stdout.write(n + '\\n');
    }, 2);`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  let last = 0;
  const waiters: Array<[number, (n: number) => void]> = [];
  child.stdout!.setEncoding('utf8');
  child.stdout!.on('data', (text: string) => {
    const lines = text.trim().split('\n');
    last = Number(lines[lines.length - 1]);
    for (const w of waiters.splice(0)) (last >= w[0] ? w[1](last) : waiters.push(w));
  });
  return { child, committed: (atLeast) => new Promise((r) => (last >= atLeast ? r(last) : waiters.push([atLeast, r]))) };
}

describe('backup of a trackio-sqlite data dir', () => {
  it('copies each .db through the backup API: one self-contained file with the -wal rows, no -wal/-shm/.lock; sha256sum -c passes', async () => {
    const root = tempDir();
    const dataDir = makeTrackioDir(root);
    await leaveWalBehind(dataDir, 'mnist', 3);
    expect(existsSync(join(dataDir, 'mnist.db-wal'))).toBe(true);
    const dest = join(root, 'backups');
    const r = backupJson(dataDir, dest);
    expect(r.code, r.stderr).toBe(0);
    const snap = r.doc.snapshot.path as string;
    const top = readdirSync(snap).sort();
    expect(top.filter((n) => /\.db|\.lock/.test(n))).toEqual(['cifar.db', 'legacy.db', 'mnist.db']);
    // The committed rows still in the -wal are in the copy, which needs no sidecar.
    expect(rowsOf(join(snap, 'mnist.db'), "SELECT count(*) FROM metrics WHERE run_name = 'late'")).toEqual([3]);
    expect(rowsOf(join(snap, 'mnist.db'), 'PRAGMA integrity_check')).toEqual(['ok']);
    expect(readFileSync(join(snap, 'mnist.db')).readUInt8(18)).toBe(1); // rollback journal: one file
    expect((await databaseDigest(join(snap, 'mnist.db'))).tables).toEqual((await databaseDigest(join(dataDir, 'mnist.db'))).tables);
    // media/ and artifacts/ are copied as files; the source dir is as it was.
    const manifest = readFileSync(join(snap, 'manifest-sha256.txt'), 'utf8');
    expect(manifest).toMatch(/ {2}mnist\.db\n/);
    expect(manifest).toMatch(/ {2}media\/mnist\/run-0\/0\/img-0\.png\n/);
    expect(manifest).toMatch(/ {2}artifacts\/mnist\/blobs\/sha256\//);
    expect(existsSync(join(dataDir, 'mnist.db-wal'))).toBe(true);
    if (sha256sumAvailable) {
      const c = spawnSync('sha256sum', ['--strict', '-c', 'manifest-sha256.txt'], { cwd: snap, encoding: 'utf8' });
      expect(c.status, c.stdout + c.stderr).toBe(0);
    }
    expect(runCli(['backups', 'verify', '--dest', dest]).code).toBe(0);

    // Second snapshot: blobs and media are hard-linked, databases copied again through the API.
    await new Promise((res) => setTimeout(res, 1100));
    const again = backupJson(dataDir, dest);
    expect(again.code, again.stderr).toBe(0);
    expect(again.doc.summary.linked).toBeGreaterThan(0);
    expect(again.doc.summary.copied).toBe(3);
  });

  it('with a live WAL writer: the copy passes integrity_check and holds every row committed before the backup began', async () => {
    const root = tempDir();
    const dataDir = makeTrackioDir(root, { projects: [['live', 'current']] });
    const writer = startWriter(join(dataDir, 'live.db'));
    const before = await writer.committed(400);
    const r = backupJson(dataDir, join(root, 'backups'));
    const after = await writer.committed(before + 1);
    writer.child.kill('SIGKILL');
    expect(r.code, r.stderr).toBe(0);
    const copy = join(r.doc.snapshot.path, 'live.db');
    expect(rowsOf(copy, 'PRAGMA integrity_check')).toEqual(['ok']);
    const steps = rowsOf(copy, "SELECT step FROM metrics WHERE run_name = 'live' ORDER BY id") as number[];
    expect(steps.length).toBeGreaterThanOrEqual(before);
    expect(steps.length).toBeLessThanOrEqual(after);
    // A consistent snapshot: the first k committed rows, none missing in between.
    expect(steps).toEqual(Array.from({ length: steps.length }, (_, i) => i));
    expect(readdirSync(r.doc.snapshot.path).filter((n) => /-wal|-shm|\.lock/.test(n))).toEqual([]);
  });

  it('a database that fails integrity_check makes no snapshot (exit 8): a backup never counts as complete with a bad copy', () => {
    const root = tempDir();
    const dataDir = makeTrackioDir(root, { projects: [['big', 'pre-0.24']], steps: 400 });
    trackioDamage.corruptPage(dataDir, 'big');
    const dest = join(root, 'backups');
    const r = runCli(['backup', dataDir, '--dest', dest]);
    expect(r.code).toBe(8);
    expect(r.stderr).toMatch(/big\.db.*(integrity_check|malformed)/);
    expect(readdirSync(dest).filter((n) => n.startsWith('trackio_backup_'))).toEqual([]);
  });

  it('restore refuses while a project is live (flock on <project>.lock), --force restores; the round trip gives the same rows', async () => {
    const root = tempDir();
    const dataDir = makeTrackioDir(root, { projects: [['p', 'current']] });
    const dest = join(root, 'backups');
    const r = backupJson(dataDir, dest);
    expect(r.code, r.stderr).toBe(0);
    const digest = await databaseDigest(join(dataDir, 'p.db'));
    writeProject(dataDir, 'q', { generation: 'current' });
    const lock = await holdProjectLock(dataDir, 'p');
    try {
      const refused = runCli(['restore', r.doc.snapshot.name, dataDir, '--dest', dest, '--yes']);
      expect(refused.code).toBe(8);
      expect(refused.stderr).toMatch(/p\.lock/);
      // The engine refuses on its own too (a library caller that skips the open-files check).
      const plan = await planRestore(r.doc.snapshot.name, dataDir, { dest });
      await expect(applyRestore(plan)).rejects.toThrow(/project p of .* is being written \(flock on p\.lock held by pid \d+\)/);
      expect(existsSync(join(dataDir, 'q.db'))).toBe(true);
      const forced = runCli(['restore', r.doc.snapshot.name, dataDir, '--dest', dest, '--yes', '--force']);
      expect(forced.code, forced.stderr).toBe(0);
    } finally {
      await lock.release();
    }
    expect(existsSync(join(dataDir, 'q.db'))).toBe(false);
    expect((await databaseDigest(join(dataDir, 'p.db'))).sha256).toBe(digest.sha256);
    expect(runCli(['check', dataDir]).code).toBe(0);
  });
});
