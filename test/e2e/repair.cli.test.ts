import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { damage, makeDataDir, runId } from '../../fixtures/build/dataDir.mjs';
import { BIN, runCli, tempDir } from '../helpers/cli.js';
import { snapshot } from '../helpers/repairTree.js';

const RUN = runId(0);

/** A data dir with one fix --preen applies (a cut tail) and one it leaves (a bad line in the middle). */
function damaged() {
  const dataDir = makeDataDir(tempDir(), { runs: 2, steps: 6 });
  damage.invalidLineInMiddle(dataDir, runId(1), 3);
  damage.truncateMidLine(dataDir, RUN);
  damage.leftoverTemp(dataDir, RUN);
  return dataDir;
}

describe('trackio-fsck repair: runs that change nothing', () => {
  it('--dry-run shows the plan, exits 4 and leaves every byte as it was', () => {
    const dataDir = damaged();
    const before = snapshot(dataDir);
    const r = runCli(['repair', '-n', dataDir]);
    expect(r.code).toBe(4);
    expect(r.stdout).toMatch(/Plan: 3 fixes \(2 safe/);
    expect(r.stdout).toMatch(/quarantine-lines +runs\/.*\/metrics\.jsonl/);
    expect(r.stdout).toContain('Dry run: nothing was changed');
    expect(snapshot(dataDir)).toEqual(before);
  });

  it('without a terminal and without a flag it changes nothing and says what to run (exit 4)', () => {
    const dataDir = damaged();
    const before = snapshot(dataDir);
    const r = runCli(['repair', dataDir]);
    expect(r.code).toBe(4);
    expect(r.stdout).toContain(`Run trackio-fsck repair -p ${dataDir}`);
    expect(snapshot(dataDir)).toEqual(before);
  });

  it('a healthy data dir: nothing to repair, exit 0, nothing written', () => {
    const dataDir = makeDataDir(tempDir(), { runs: 1 });
    const before = snapshot(dataDir);
    const r = runCli(['repair', '-y', dataDir]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Plan: nothing to repair');
    expect(snapshot(dataDir)).toEqual(before);
  });

  it('-n and -y together is a usage error', () => {
    const r = runCli(['repair', '-n', '-y', damaged()]);
    expect(r.code).toBe(16);
  });
});

describe('trackio-fsck repair: applying', () => {
  it('-p applies the safe fixes, leaves the rest, tells where the backup is (exit 4)', () => {
    const dataDir = damaged();
    const r = runCli(['repair', '-p', dataDir]);
    expect(r.code).toBe(4);
    const backup = /Backup: (\S+) \(2 files/.exec(r.stdout)?.[1];
    expect(backup).toBeDefined();
    expect(backup!.startsWith(join(dataDir, '.trackio-fsck', 'repairs'))).toBe(true);
    expect(existsSync(join(backup!, 'files', 'runs', RUN, 'metrics.jsonl'))).toBe(true);
    expect(r.stdout).toContain('1 problem left');
    expect(r.stdout).toContain('jsonl/invalid-line');
    expect(runCli(['check', dataDir, '--json']).code).toBe(4);
  });

  it('-y applies everything: exit 1, and check agrees the data is clean', () => {
    const dataDir = damaged();
    const r = runCli(['repair', '-y', dataDir]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('clean: 0 errors, nothing left to mend');
    const again = runCli(['check', dataDir]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('no errors, 0 warnings');
    // and a second repair finds nothing to do
    expect(runCli(['repair', '-y', dataDir]).code).toBe(0);
  });

  it('recover: safe fixes, and a summary of what was mended and what was cut', () => {
    const dataDir = damaged();
    const r = runCli(['recover', dataDir]);
    expect(r.code).toBe(4);
    expect(r.stdout).toMatch(/cut +runs\/.*\/metrics\.jsonl: cut the last 17 bytes/);
    expect(r.stdout).toMatch(/cut: '\{"step": 5, "time' \(17 bytes at byte \d+\)/);
    expect(r.stdout).toMatch(/moved +runs\/.*\/summary\.json\.tmp -> quarantine\//);
    expect(r.stdout).toContain('To mend the rest: trackio-fsck repair');
  });

  it('--json: the plan, what was applied, the backup and the second check', () => {
    const dataDir = damaged();
    const r = runCli(['repair', '-y', '--json', dataDir]);
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({ command: 'repair', mode: 'yes', applied: [1, 2, 3], exitCode: 1, recheck: { remaining: [], unmended: [] } });
    expect(doc.plan.steps.map((s: { action: string }) => s.action)).toEqual(['trim-last-line', 'quarantine-file', 'quarantine-lines']);
    expect(doc.repair.status).toBe('complete');
  });

  it('--backup-dir puts the verified copies elsewhere; undo still finds them', () => {
    const dataDir = damaged();
    const before = snapshot(dataDir);
    const elsewhere = join(tempDir(), 'backups');
    const r = runCli(['repair', '-y', '--backup-dir', elsewhere, dataDir]);
    expect(r.code).toBe(1);
    const [id] = readdirSync(elsewhere);
    expect(r.stdout).toContain(`Backup: ${join(elsewhere, id!)}`);
    expect(readdirSync(join(elsewhere, id!, 'files', 'runs')).sort()).toEqual([RUN, runId(1)].sort());
    const u = runCli(['undo', dataDir]);
    expect(u.code).toBe(0);
    expect(snapshot(dataDir, (p) => p.startsWith('.trackio-fsck'))).toEqual(before);
  });

  it('--backup-dir inside runs/ is refused before anything changes', () => {
    const dataDir = damaged();
    const before = snapshot(dataDir, (p) => p.startsWith('.trackio-fsck'));
    const r = runCli(['repair', '-y', '--backup-dir', join(dataDir, 'runs', 'bk'), dataDir]);
    expect(r.code).toBe(8);
    expect(r.stderr).toContain('inside runs/');
    expect(snapshot(dataDir, (p) => p.startsWith('.trackio-fsck') || p === 'runs/bk')).toEqual(before);
  });
});

describe('trackio-fsck repair: what it refuses', () => {
  it('a run being written is not touched without --force', () => {
    const dataDir = makeDataDir(tempDir(), { runs: 1, steps: 6 });
    damage.leftoverTemp(dataDir, RUN);
    damage.invalidLineInMiddle(dataDir, RUN, 3);
    const metrics = join(dataDir, 'runs', RUN, 'metrics.jsonl');
    rmSync(join(dataDir, 'runs', RUN, 'summary.json'));
    const now = new Date();
    utimesSync(metrics, now, now); // written moments ago, no summary: live
    const before = snapshot(dataDir);
    const r = runCli(['repair', '-y', dataDir]);
    expect(r.code).toBe(4);
    expect(r.stdout).toContain(`Live run not touched: ${RUN}`);
    expect(r.stdout).toContain('the run looks live (metrics.jsonl changed');
    expect(snapshot(dataDir)).toEqual(before);
    const forced = runCli(['repair', '-y', '--force', dataDir]);
    expect(forced.code).toBe(1);
  });

  it('a data dir locked by a live repair is refused; a stale lock (dead pid) is taken over', () => {
    const dataDir = damaged();
    mkdirSync(join(dataDir, '.trackio-fsck'));
    const lock = join(dataDir, '.trackio-fsck', 'lock');
    // this test process is alive on this host: the lock is held
    writeFileSync(lock, JSON.stringify({ pid: process.pid, host: hostname(), started: '2026-01-01T00:00:00Z', command: 'repair -y' }));
    const before = snapshot(dataDir);
    const r = runCli(['repair', '-y', dataDir]);
    expect(r.code).toBe(8);
    expect(r.stderr).toContain(`is locked by another repair (repair -y, pid ${process.pid}`);
    expect(snapshot(dataDir)).toEqual(before);
    expect(runCli(['undo', dataDir]).code).toBe(8);

    writeFileSync(lock, JSON.stringify({ pid: 2 ** 22 + 1, host: hostname(), started: '2026-01-01T00:00:00Z', command: 'repair -y' }));
    const stale = runCli(['repair', '-y', dataDir]);
    expect(stale.code).toBe(1);
    expect(stale.stdout).toContain('took over the lock');
    expect(existsSync(lock)).toBe(false);
  });

  it('--force takes the lock of a live holder', () => {
    const dataDir = damaged();
    mkdirSync(join(dataDir, '.trackio-fsck'));
    writeFileSync(join(dataDir, '.trackio-fsck', 'lock'), JSON.stringify({ pid: process.pid, host: hostname(), started: 'x', command: 'repair' }));
    expect(runCli(['repair', '-y', '--force', dataDir]).code).toBe(1);
  });

  it('a symlinked quarantine/ is refused: nothing is written through it', () => {
    const dataDir = damaged();
    const outside = tempDir();
    symlinkSync(outside, join(dataDir, 'quarantine'));
    const before = snapshot(dataDir, (p) => p.startsWith('.trackio-fsck'));
    const r = runCli(['repair', '-y', dataDir]);
    expect(r.code).toBe(8);
    expect(r.stderr).toContain(`refusing to write through the symbolic link ${join(dataDir, 'quarantine')}`);
    expect(readdirSync(outside)).toEqual([]);
    // refused before the first byte changed
    expect(snapshot(dataDir, (p) => p.startsWith('.trackio-fsck'))).toEqual(before);
  });
});

describe('an interrupted repair', () => {
  const killAt = (dataDir: string, n: number) => {
    const r = spawnSync(process.execPath, [BIN, 'repair', '-y', dataDir], { env: { ...process.env, TRACKIO_FSCK_FAULT: `step:${n}` }, encoding: 'utf8' });
    expect(r.signal).toBe('SIGKILL');
  };

  it('-n and a run without terminal only report it, changing nothing', () => {
    const dataDir = damaged();
    killAt(dataDir, 10);
    const before = snapshot(dataDir);
    for (const args of [['repair', '-n', dataDir], ['repair', dataDir]]) {
      const r = runCli(args);
      expect(r.code).toBe(4);
      expect(r.stdout).toMatch(/Repair \S+ \(repair -y\) was interrupted while applying/);
      expect(r.stdout).toContain(`To finish it: trackio-fsck repair -y ${dataDir}   To go back: trackio-fsck undo ${dataDir}`);
      expect(snapshot(dataDir)).toEqual(before);
    }
  });

  it('killed while backing up, then a file changes: resume refuses, undo leaves the new bytes alone', () => {
    const dataDir = damaged();
    killAt(dataDir, 3); // after the first of three backup copies
    const metrics = join(dataDir, 'runs', runId(1), 'metrics.jsonl');
    writeFileSync(metrics, Buffer.concat([readFileSync(metrics), Buffer.from('{"step": 7}\n')]));
    const changed = snapshot(dataDir, (p) => p.startsWith('.trackio-fsck'));
    const resumed = runCli(['repair', '-y', dataDir]);
    expect(resumed.code).toBe(8);
    expect(resumed.stderr).toContain('changed since the plan was made, so nothing was changed');
    const undone = runCli(['undo', dataDir]);
    expect(undone.code).toBe(0);
    expect(undone.stdout).toContain('nothing had been changed yet');
    expect(snapshot(dataDir, (p) => p.startsWith('.trackio-fsck'))).toEqual(changed);
  });

  it('a moved data dir: undo still finds the backup inside it', () => {
    const dataDir = damaged();
    const before = snapshot(dataDir);
    expect(runCli(['repair', '-y', dataDir]).code).toBe(1);
    const moved = join(tempDir(), 'moved');
    renameSync(dataDir, moved);
    const r = runCli(['undo', moved]);
    expect(r.code, r.stderr).toBe(0);
    expect(snapshot(moved, (p) => p.startsWith('.trackio-fsck'))).toEqual(before);
  });
});

describe('trackio-fsck undo', () => {
  it('restores the exact bytes, says what it restored, and refuses files changed since (unless --force)', () => {
    const dataDir = damaged();
    const before = snapshot(dataDir);
    expect(runCli(['repair', '-y', dataDir]).code).toBe(1);
    const metrics = join(dataDir, 'runs', RUN, 'metrics.jsonl');
    const repaired = readFileSync(metrics);
    writeFileSync(metrics, Buffer.concat([repaired, Buffer.from('{"step": 99}\n')])); // the run went on after the repair
    const refused = runCli(['undo', dataDir]);
    expect(refused.code).toBe(4);
    expect(refused.stdout).toContain(`left      runs/${RUN}/metrics.jsonl changed after the repair`);
    const forced = runCli(['undo', '--force', dataDir]);
    expect(forced.code).toBe(0);
    expect(forced.stdout).toContain(`restored  runs/${RUN}/metrics.jsonl`);
    const kept = /kept +the bytes it replaced in (\S+)/.exec(forced.stdout)?.[1];
    expect(readFileSync(kept!).toString()).toContain('{"step": 99}');
    expect(snapshot(dataDir, (p) => p.startsWith('.trackio-fsck'))).toEqual(before);
    expect(runCli(['undo', dataDir]).stdout).toContain('was already undone');
  });

  it('with no repair to undo, says so', () => {
    const dataDir = makeDataDir(tempDir(), { runs: 1 });
    const r = runCli(['undo', dataDir]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('No repair to undo');
  });
});
