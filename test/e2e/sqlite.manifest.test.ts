import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { leaveWalBehind, makeTrackioDir, trackioDamage } from '../../fixtures/build/trackioDb.mjs';
import { check } from '../../src/index.js';
import { databaseDigest, loadSqlite } from '../helpers/internals.js';
import { runCli, tempDir } from '../helpers/cli.js';

const sha256sumAvailable = spawnSync('sha256sum', ['--version']).status === 0;
const codes = (r: { stdout: string }) => (JSON.parse(r.stdout).findings as Array<{ code: string; path: string; severity: string }>).map((f) => [f.code, f.path]);

function exec(db: string, sql: string, ...args: unknown[]): void {
  const d = new (loadSqlite())(db);
  try {
    d.prepare(sql).run(...args);
  } finally {
    d.close();
  }
}

describe('manifests of a trackio-sqlite data dir', () => {
  it('manifest-sha256.txt lists media and blobs (not the live .db files); sha256sum -c passes; the record holds each database by its rows', async () => {
    const dataDir = makeTrackioDir(tempDir());
    const w = runCli(['manifest', 'write', dataDir]);
    expect(w.code, w.stdout + w.stderr).toBe(0);
    const manifest = readFileSync(join(dataDir, 'manifest-sha256.txt'), 'utf8');
    expect(manifest).toMatch(/ {2}media\/cifar\/run-0\/0\/img-0\.png\n/);
    expect(manifest).toMatch(/ {2}artifacts\/mnist\/blobs\/sha256\//);
    expect(manifest).not.toMatch(/\.db\n/);
    const record = JSON.parse(readFileSync(join(dataDir, '.trackio-fsck', 'databases.json'), 'utf8'));
    expect(Object.keys(record.databases)).toEqual(['cifar.db', 'legacy.db', 'mnist.db']);
    expect(record.databases['mnist.db'].tables.metrics).toMatchObject({ rows: 10, maxRowid: 10 });
    expect(record.databases['mnist.db'].sha256).toBe((await databaseDigest(join(dataDir, 'mnist.db'))).sha256);
    if (sha256sumAvailable) expect(spawnSync('sha256sum', ['--strict', '-c', 'manifest-sha256.txt'], { cwd: dataDir }).status).toBe(0);
    const v = runCli(['manifest', 'verify', dataDir, '--json']);
    expect(v.code).toBe(0);
    expect(codes(v)).toEqual([]);
  });

  it('a database that only gained rows is manifest/appended (info); a changed or deleted row is manifest/modified (error)', async () => {
    const dataDir = makeTrackioDir(tempDir());
    expect(runCli(['manifest', 'write', dataDir]).code).toBe(0);
    await leaveWalBehind(dataDir, 'mnist', 3); // appended, still in the -wal
    exec(join(dataDir, 'cifar.db'), 'UPDATE configs SET config = ? WHERE id = 1', Buffer.from('{"learning_rate": 0.5}'));
    exec(join(dataDir, 'legacy.db'), 'DELETE FROM metrics WHERE id = 10');
    const v = runCli(['manifest', 'verify', dataDir, '--json']);
    expect(v.code).toBe(4);
    expect(codes(v)).toEqual([
      ['manifest/modified', 'cifar.db'],
      ['manifest/modified', 'legacy.db'],
      ['manifest/appended', 'mnist.db'],
    ]);
    const messages = JSON.parse(v.stdout).findings.map((f: { message: string }) => f.message).join('\n');
    expect(messages).toMatch(/configs \(2 rows recorded/);
    expect(messages).toMatch(/metrics \+3 rows/);
    // check reads the same record in its own pass.
    const { report } = await check(dataDir);
    expect(report.findings.filter((f) => f.code.startsWith('manifest/')).map((f) => [f.code, f.severity])).toEqual([
      ['manifest/modified', 'error'],
      ['manifest/modified', 'error'],
      ['manifest/appended', 'info'],
    ]);
    // Recording again makes it clean; a database that only grew then stays clean under a new record.
    expect(runCli(['manifest', 'write', dataDir]).code).toBe(0);
    expect(codes(runCli(['manifest', 'verify', dataDir, '--json']))).toEqual([]);
  });

  it('a repair is a recorded change: after repair the database reads as modified until the manifest is written again', () => {
    const dataDir = makeTrackioDir(tempDir(), { projects: [['p', 'current']] });
    expect(runCli(['manifest', 'write', dataDir]).code).toBe(0);
    trackioDamage.invalidJsonCell(dataDir, 'p');
    // The damage itself already differs from the record; repair mends the row, the record still differs (exit 4).
    const r = runCli(['repair', '-y', dataDir, '--json']);
    expect(r.code).toBe(4);
    const doc = JSON.parse(r.stdout);
    expect(doc.recheck.remaining.map((f: { code: string }) => f.code)).toEqual(['manifest/modified']);
    expect(doc.recheck.unmended).toEqual([]);
    const v = runCli(['manifest', 'verify', dataDir, '--json']);
    expect(codes(v)).toEqual([['manifest/modified', 'p.db']]);
  });
});
