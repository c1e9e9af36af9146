import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { damage, makeDataDir, runId } from '../../fixtures/build/dataDir.mjs';
import { BIN, runCli, tempDir } from '../helpers/cli.js';
import { readTree } from '../helpers/tree.js';
import { startPaused } from '../helpers/safety.js';

// Issue 11 case 4: a backup that ran while a repair started produced a half-repaired snapshot
// marked complete. Backup and repair (and undo) hold the data dir's lock for their whole run: each
// refuses while the other holds it. The fault points hold one command mid-way while the other starts.
// And a killed restore's .DIR.trackio-fsck-restoring-* folder is finished or removed by the next one.

describe('case 4: backup and repair exclude each other for their whole duration', () => {
  it('a repair (even --force) started while a backup copies files is refused, exit 8; the backup then completes', async () => {
    const root = tempDir();
    const dataDir = makeDataDir(root, { runs: 3 });
    damage.truncateMidLine(dataDir, runId(1));
    const before = readTree(dataDir);
    const dest = join(root, 'backups');
    const backup = await startPaused(['backup', '--json', '--dest', dest, dataDir], 'backup-file', join(root, 'pause'));
    for (const args of [['repair', '-y', dataDir], ['repair', '-y', '--force', dataDir]]) {
      const r = runCli(args);
      expect(r.code).toBe(8);
      expect(r.stderr).toMatch(/being backed up/);
    }
    // Nothing was repaired under the backup's feet.
    expect(readTree(dataDir, (p) => p.startsWith('.trackio-fsck'))).toEqual(new Map([...before].filter(([p]) => !p.startsWith('.trackio-fsck'))));
    rmSync(join(root, 'pause'));
    const done = await backup.done;
    expect(done.code, done.stderr).toBe(0);
    expect(JSON.parse(done.stdout).snapshot.name).toMatch(/^trackio_backup_/);
    // The lock went with the backup: a repair now runs.
    expect(existsSync(join(dataDir, '.trackio-fsck', 'lock'))).toBe(false);
    expect(runCli(['repair', '-y', dataDir]).code).toBe(1);
  });

  it('a backup started while a repair holds the data dir is refused, exit 8, and leaves no snapshot', async () => {
    const root = tempDir();
    const dataDir = makeDataDir(root, { runs: 2 });
    damage.truncateMidLine(dataDir, runId(0));
    const dest = join(root, 'backups');
    const repair = await startPaused(['repair', '-y', dataDir], 'lock-taken', join(root, 'pause'));
    const r = runCli(['backup', '--dest', dest, dataDir]);
    expect(r.code).toBe(8);
    expect(r.stderr).toMatch(/being repaired/);
    expect(existsSync(dest) ? readdirSync(dest).filter((n) => n.startsWith('trackio_backup_')) : []).toEqual([]);
    rmSync(join(root, 'pause'));
    expect((await repair.done).code).toBe(1);
    expect(runCli(['backup', '--dest', dest, dataDir]).code).toBe(0);
  });
});

describe('a killed restore: its leftover is reported and finished or removed by the next restore', () => {
  const killAt = (point: string, args: string[]) =>
    spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, TRACKIO_DIR: '', TRACKIO_FSCK_FAULT: point }, timeout: 30_000 });
  const leftovers = (root: string) => readdirSync(root).filter((n) => n.includes('.trackio-fsck-restoring-'));

  for (const [point, expectAction] of [
    ['restore-file', /unfinished copy of an interrupted restore: removed/],
    ['restore-before-swap', /killed before it touched the data dir: removed/],
    ['restore-moved-aside', /moved into place/],
  ] as const) {
    it(`killed at ${point}: the next restore says what it found, settles it, and leaves no leftover`, () => {
      const root = tempDir();
      const dataDir = makeDataDir(root, { runs: 2 });
      const dest = join(root, 'backups');
      const made = runCli(['backup', '--json', '--dest', dest, dataDir]);
      const name = JSON.parse(made.stdout).snapshot.name as string;
      damage.truncateMidLine(dataDir, runId(0));
      const killed = killAt(point, ['restore', '--yes', '--dest', dest, name, dataDir]);
      expect(killed.signal).toBe('SIGKILL');
      expect(leftovers(root)).toHaveLength(1);
      if (point === 'restore-moved-aside') {
        expect(existsSync(dataDir)).toBe(false);
        // Before the next restore, check says where the whole copy is.
        const lost = runCli(['check', dataDir]);
        expect(lost.code).toBe(8);
        expect(lost.stderr).toContain(`left the whole, verified copy at ${join(root, leftovers(root)[0]!)}`);
      } else {
        expect(readFileSync(join(dataDir, 'runs', runId(0), 'metrics.jsonl'), 'utf8')).not.toMatch(/\n$/);
        // Before the next restore, check names the leftover (the data dir is as it was).
        const seen = runCli(['check', '--json', dataDir]);
        const codes = JSON.parse(seen.stdout).findings.map((f: { code: string }) => f.code);
        expect(codes).toContain('backup/restore-leftover');
      }

      const again = runCli(['restore', '--yes', '--dest', dest, name, dataDir]);
      expect(again.code, again.stderr).toBe(0);
      expect(again.stdout).toMatch(expectAction);
      expect(leftovers(root)).toEqual([]);
      expect(runCli(['check', dataDir]).code).toBe(0);
    });
  }
});
