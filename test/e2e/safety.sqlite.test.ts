// Issue 11 cases 8, 9, 13 on real Trackio data dirs, through the built CLI.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeTrackioDir, trackioDamage } from '../../fixtures/build/trackioDb.mjs';
import { BIN, runCli, tempDir } from '../helpers/cli.js';
import { copyTree, snapshot } from '../helpers/repairTree.js';
import { readTree } from '../helpers/tree.js';

const STALE = join(import.meta.dirname, '..', 'helpers', 'stale_index.py');
const isRoot = process.getuid?.() === 0;

describe('index-only damage (case 8)', () => {
  it('repair -p rebuilds the index (no row changes), the second check is clean, undo gives back the exact bytes', () => {
    const dataDir = makeTrackioDir(tempDir(), { projects: [['mnist', 'current']] });
    expect(spawnSync('python3', [STALE, join(dataDir, 'mnist.db'), 'idx_metrics_run_step', 'update']).status).toBe(0);
    const before = snapshot(dataDir);
    const checked = runCli(['check', dataDir]);
    expect(checked.code).toBe(4);
    expect(checked.stdout).toContain('sqlite/index');
    const r = runCli(['repair', '-p', dataDir]);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toContain('reindexed');
    expect(runCli(['check', '--full', dataDir]).code).toBe(0);
    expect(runCli(['undo', dataDir]).code).toBe(0);
    expect(snapshot(dataDir, (p) => p.startsWith('.trackio-fsck'))).toEqual(before);
  });
});

describe.skipIf(!isRoot)('an unreadable database or media folder (case 9; run as nobody)', () => {
  function asNobody(args: string[]) {
    const r = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, BIN, ...args], { encoding: 'utf8', env: { ...process.env, TRACKIO_DIR: '', NO_COLOR: '1' } });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  }

  it('check, repair -n and manifest write report sqlite/cannot-open for it and check the rest; an unreadable media folder is not missing media', () => {
    const root = tempDir();
    chmodSync(root, 0o755);
    const dataDir = makeTrackioDir(root, { projects: [['mnist', 'current'], ['cifar', 'pre-0.24']] });
    trackioDamage.invalidJsonCell(dataDir, 'cifar');
    const walk = (d: string): void => {
      chownSync(d, 65534, 65534);
      for (const e of readdirSync(d, { withFileTypes: true })) (e.isDirectory() ? walk : (p: string) => chownSync(p, 65534, 65534))(join(d, e.name));
    };
    walk(dataDir);
    chownSync(join(dataDir, 'mnist.db'), 0, 0);
    chmodSync(join(dataDir, 'mnist.db'), 0o000);
    chmodSync(join(dataDir, 'media', 'cifar'), 0o000);
    for (const args of [['check'], ['check', '--full'], ['repair', '-n'], ['manifest', 'write']]) {
      const r = asNobody([...args, dataDir, ...(args[0] === 'check' ? ['--json'] : [])]);
      const all = r.stdout + r.stderr;
      expect(all, args.join(' ')).not.toMatch(/^trackio-fsck: .*EACCES/m);
      expect(r.code, `${args.join(' ')}: ${all}`).not.toBe(8);
      if (args[0] !== 'check') continue;
      const codes = (JSON.parse(r.stdout).findings as Array<{ code: string; path: string }>).map((f) => `${f.code} ${f.path}`);
      expect(codes).toContain('sqlite/cannot-open mnist.db');
      expect(codes, 'the other database is still checked').toContain('sqlite/invalid-json cifar.db');
      expect(codes.filter((c) => c.startsWith('trackio/missing-media') && c.endsWith('cifar.db')), 'an unreadable folder is not missing media').toEqual([]);
      expect(codes).toContain('fs/unreadable media/cifar');
    }
  });
});

describe('read-only commands leave a Trackio data dir exactly as found (case 13)', () => {
  const holders: ChildProcess[] = [];
  afterEach(() => {
    for (const h of holders.splice(0)) h.kill('SIGKILL');
  });

  /** Holds flock on `<project>.lock`, as a live Trackio writer does, until the test ends. */
  async function holdLock(dataDir: string, project: string): Promise<void> {
    const h = spawn('flock', [join(dataDir, `${project}.lock`), 'sleep', '60'], { stdio: 'ignore' });
    holders.push(h);
    for (let i = 0; i < 200; i++) {
      if (spawnSync('flock', ['-n', join(dataDir, `${project}.lock`), 'true']).status !== 0) return;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error('the lock was never taken');
  }

  /** A writer killed before it closed the database: its -wal and -shm stay. */
  function leaveWal(dataDir: string, project: string): void {
    const py = `import sqlite3, os\nc = sqlite3.connect(${JSON.stringify(join(dataDir, `${project}.db`))})\nc.execute("INSERT INTO metrics (run_id, timestamp, run_name, step, metrics) SELECT run_id, timestamp, run_name, step + 1000, metrics FROM metrics LIMIT 1")\nc.commit()\nos._exit(0)\n`;
    expect(spawnSync('python3', ['-c', py]).status).toBe(0);
  }

  it('in every state (WAL with and without -wal, lock held or not, rollback journal), check, check --full, manifest verify, du, backups list create and change nothing', async () => {
    const template = makeTrackioDir(tempDir(), { projects: [['mnist', 'current'], ['legacy', 'v0.3']] });
    const states: Array<[string, (d: string) => void | Promise<void>]> = [
      ['closed, no -wal', () => {}],
      ['lock held, no -wal', (d) => holdLock(d, 'mnist')],
      ['-wal and -shm left by a killed writer', (d) => leaveWal(d, 'mnist')],
      ['-wal left, lock held', async (d) => {
        leaveWal(d, 'mnist');
        await holdLock(d, 'mnist');
      }],
      ['rollback-journal database, lock held', (d) => holdLock(d, 'legacy')],
    ];
    const commands = [['check'], ['check', '--full'], ['manifest', 'verify'], ['du'], ['backups', 'list', '--dest', 'BACKUPS']];
    for (const [state, make] of states) {
      const dataDir = join(tempDir(), 'trackio');
      copyTree(template, dataDir);
      await make(dataDir);
      const before = readTree(dataDir);
      for (const args of commands) {
        const r = runCli([...args.map((a) => (a === 'BACKUPS' ? join(dataDir, '..', 'none') : a)), dataDir]);
        expect(r.stderr, `${args.join(' ')} (${state})`).not.toMatch(/\n\s+at /);
        expect(readTree(dataDir), `${args.join(' ')} in state "${state}" changed the directory`).toEqual(before);
      }
      for (const h of holders.splice(0)) h.kill('SIGKILL');
    }
  }, 120_000);
});
