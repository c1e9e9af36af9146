// Data-safety regressions found in review: each case failed before its fix.
import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { damage, makeDataDir, runId, writeAwkwardFiles } from '../../fixtures/build/dataDir.mjs';
import { backup } from '../../src/index.js';
import { runCli, tempDir } from '../helpers/cli.js';

const INDEX = '.trackio-fsck-snapshot-index.jsonl';

async function snapshotWithLinks() {
  const root = tempDir();
  const dataDir = makeDataDir(root, { runs: 2 });
  writeAwkwardFiles(dataDir, runId(1));
  const dest = join(root, 'trackio_backups');
  const { snapshot } = await backup(dataDir, { dest });
  return { root, dataDir, dest, name: snapshot.name, snap: snapshot.path };
}

describe('snapshot index read back from disk', () => {
  it('a torn index makes the snapshot damaged: verify exits 4 and restore refuses instead of dropping links', async () => {
    const { root, dest, snap } = await snapshotWithLinks();
    const index = join(snap, INDEX);
    truncateSync(index, statSync(index).size - 7);
    const v = runCli(['backups', 'verify', '--dest', dest]);
    expect(v.code).toBe(4);
    expect(v.stdout + v.stderr).toContain(INDEX);
    const target = join(root, 'restored');
    const r = runCli(['restore', snap, target, '--yes']);
    expect(r.code).toBe(4);
    expect(existsSync(target)).toBe(false);
  });

  it('an index line naming a path outside the snapshot is never acted on (no mkdir or chmod outside)', async () => {
    const { root, dest, snap } = await snapshotWithLinks();
    const outside = join(root, 'outside');
    mkdirSync(outside, { mode: 0o755 });
    appendFileSync(join(snap, INDEX), JSON.stringify({ t: 'd', p: '../../outside', mode: 0 }) + '\n' + JSON.stringify({ t: 'd', p: '../../planted', mode: 0o755 }) + '\n');
    const r = runCli(['restore', snap, join(root, 'restored'), '--yes', '--dest', dest]);
    expect(r.code).toBe(4);
    expect(statSync(outside).mode & 0o7777).toBe(0o755);
    expect(existsSync(join(root, 'planted'))).toBe(false);
  });
});

describe('prune deletes only what is ours', () => {
  it('a user folder in BACKUPS that merely starts with .incomplete- is left alone', async () => {
    const { dest } = await snapshotWithLinks();
    const mine = join(dest, '.incomplete-thesis-notes');
    mkdirSync(mine);
    writeFileSync(join(mine, 'chapter1.txt'), 'months of work\n');
    // Prune removes every leftover of an interrupted backup, whatever --keep says.
    const r = runCli(['backups', 'prune', '--keep', '1', '--dest', dest]);
    expect(r.code).toBe(0);
    expect(readFileSync(join(mine, 'chapter1.txt'), 'utf8')).toBe('months of work\n');
  });
});

describe('restore and a running repair', () => {
  it('refuses (exit 8, nothing moved) while a live process holds the repair lock of the data dir', async () => {
    const { dataDir, dest, name } = await snapshotWithLinks();
    const repairer = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    try {
      mkdirSync(join(dataDir, '.trackio-fsck'), { recursive: true });
      writeFileSync(join(dataDir, '.trackio-fsck', 'lock'), JSON.stringify({ pid: repairer.pid, host: hostname(), started: new Date().toISOString(), command: 'repair -y' }) + '\n');
      const r = runCli(['restore', name, dataDir, '--dest', dest, '--yes']);
      expect(r.code).toBe(8);
      expect(r.stderr).toContain('being repaired');
      expect(readdirSync(dirname(dataDir)).filter((n) => n.includes('before-restore'))).toEqual([]);
    } finally {
      repairer.kill('SIGKILL');
    }
  });
});

describe('backup and a running repair', () => {
  it('refuses while a repair holds the data dir; forced, the snapshot does not bring the lock back on restore', async () => {
    const root = tempDir();
    const dataDir = makeDataDir(root, { runs: 1 });
    mkdirSync(join(dataDir, '.trackio-fsck'), { recursive: true });
    writeFileSync(join(dataDir, '.trackio-fsck', 'lock'), JSON.stringify({ pid: process.pid, host: hostname(), started: new Date().toISOString(), command: 'repair -y' }) + '\n');
    await expect(backup(dataDir, { dest: join(root, 'b') })).rejects.toThrow(/being repaired/);
    const { snapshot } = await backup(dataDir, { dest: join(root, 'b'), force: true });
    expect(existsSync(join(snapshot.path, '.trackio-fsck', 'lock'))).toBe(false);
  });
});

describe('a repair journal read back from disk', () => {
  it('an edited journal whose id climbs out of the data dir is refused, and nothing is written outside', () => {
    const root = tempDir();
    const dataDir = makeDataDir(root, { runs: 1, steps: 6 });
    damage.truncateMidLine(dataDir, runId(0));
    expect(runCli(['repair', '-y', dataDir]).code).toBe(1);
    const repairs = join(dataDir, '.trackio-fsck', 'repairs');
    const [id] = readdirSync(repairs);
    const file = join(repairs, id!, 'journal.json');
    const journal = JSON.parse(readFileSync(file, 'utf8'));
    writeFileSync(file, JSON.stringify({ ...journal, id: '../../..' }));
    const r = runCli(['undo', dataDir]);
    expect(r.code).toBe(8);
    expect(r.stderr).toContain('cannot read the repair journal');
    expect(existsSync(join(root, 'journal.json'))).toBe(false);
  });
});

describe('the BACKUPS lock', () => {
  it('two writers in one process (a library calling backup and prune at once): the second is refused', async () => {
    const { lockBackups } = await import('../../src/engine/backup/backupsLock.js');
    const dir = tempDir();
    const results = await Promise.allSettled([lockBackups(dir), lockBackups(dir)]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results) if (r.status === 'fulfilled') await r.value();
    const again = await lockBackups(dir);
    await again();
  });
});

describe('restore target', () => {
  it('a folder that only holds a file named *.db (not a SQLite database) is not taken for a data dir and is not moved aside', async () => {
    const { root, dest, name } = await snapshotWithLinks();
    const project = join(root, 'project');
    mkdirSync(project);
    writeFileSync(join(project, 'notes.db'), 'not a database\n');
    const r = runCli(['restore', name, project, '--dest', dest, '--yes']);
    expect(r.code).toBe(16);
    expect(readFileSync(join(project, 'notes.db'), 'utf8')).toBe('not a database\n');
    expect(readdirSync(root).filter((n) => n.includes('before-restore'))).toEqual([]);
  });
});

describe('manifest write over a damaged project database', () => {
  it('keeps the record of the database as it was when readable, rather than dropping it', async () => {
    const { makeTrackioDir, trackioDamage } = await import('../../fixtures/build/trackioDb.mjs');
    const dataDir = makeTrackioDir(tempDir(), { projects: [['mnist', 'current']], steps: 400 });
    expect(runCli(['manifest', 'write', dataDir]).code).toBe(0);
    const recordFile = join(dataDir, '.trackio-fsck', 'databases.json');
    const before = JSON.parse(readFileSync(recordFile, 'utf8')).databases['mnist.db'];
    expect(before).toBeDefined();
    trackioDamage.corruptPage(dataDir, 'mnist');
    runCli(['manifest', 'write', dataDir]);
    expect(JSON.parse(readFileSync(recordFile, 'utf8')).databases['mnist.db']).toEqual(before);
  });
});
