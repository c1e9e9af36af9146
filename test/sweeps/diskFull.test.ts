// Disk full, swept: every command that writes runs on a real file system (a tmpfs) left with
// 0 bytes free, then a little more each time, up to enough. Whatever the amount, the command either
// succeeds or stops with exit 8 and one line (never a stack trace); no user file is ever anything
// but its bytes from before or its bytes from after; nothing of the tool's stays behind where it
// does not belong; and once space is back, running the command again finishes the job (and `undo`
// still returns the exact bytes from before).
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { damage, makeDataDir, runId, writeRun } from '../../fixtures/build/dataDir.mjs';
import { makeDivergentTrackioDirs } from '../../fixtures/build/divergentDirs.mjs';
import { runCli, tempDir, type CliResult } from '../helpers/cli.js';
import { copyTree, snapshot } from '../helpers/repairTree.js';
import { canMount, fill, smallDisk } from '../helpers/smallDisk.js';

// Free bytes left on the disk, from none to enough. Locally a sample keeps `npm test` quick; CI (and
// TRACKIO_FSCK_FULL_SWEEPS=1) runs them all. The sample keeps 4 KiB, one page: room for the first
// of two files and not the second (manifest write once renamed a new record beside the old manifest there).
const ALL_FREE = [0, 4, 16, 64, 192, 384, 768, 1536, 3072, 8192].map((k) => k * 1024);
const FREE = process.env.CI || process.env.TRACKIO_FSCK_FULL_SWEEPS ? ALL_FREE : ALL_FREE.filter((_, i) => i % 3 === 0 || i === 1);

/** Exit 8 with one line, or one of the command's own codes; never a stack trace. */
function expectCleanOutcome(r: CliResult, ok: number[], what: string): 'ok' | 'full' {
  expect([...ok, 8], `${what}: ${r.stdout}${r.stderr}`).toContain(r.code);
  expect(r.stderr, what).not.toMatch(/^\s+at /m);
  if (r.code !== 8) return 'ok';
  const lines = r.stderr.trim().split('\n');
  expect(lines, `${what}: ${r.stderr}`).toHaveLength(1);
  expect(lines[0], what).toMatch(/^trackio-fsck: .*(no space left|not enough free space)/);
  return 'full';
}

/** Each path either as it was before or as it is after a complete run: never a third state. */
function expectBeforeOrAfter(now: Record<string, string>, before: Record<string, string>, after: Record<string, string>, what: string): void {
  for (const p of new Set([...Object.keys(now), ...Object.keys(before), ...Object.keys(after)])) {
    expect([before[p], after[p]], `${what}: ${p}`).toContain(now[p]);
  }
}

/** The tool's temp files (`.trackio-fsck-tmp-*`) anywhere below `dir`. */
function ownTemps(dir: string): string[] {
  return (readdirSync(dir, { recursive: true }) as string[]).filter((p) => /(^|\/)\.trackio-fsck-tmp-/.test(p));
}

/** Runs `attempt` once per amount of free space on a fresh tmpfs; asserts the sweep crossed from full to enough. */
function sweep(attempt: (disk: string, free: number) => 'ok' | 'full'): void {
  const outcomes = FREE.map((free) => {
    const disk = smallDisk('12m')!;
    return attempt(disk, free);
  });
  expect(outcomes[0]).toBe('full');
  expect(outcomes.at(-1)).toBe('ok');
}

/** `template` copied onto `disk` as `trackio`, then the disk filled but for `free` bytes: the copy and the filler. */
function copyOnto(disk: string, template: string, free: number): { dataDir: string; filler: string } {
  const dataDir = join(disk, 'trackio');
  copyTree(template, dataDir);
  return { dataDir, filler: fill(disk, free) };
}

const users = (d: string) => snapshot(d, (p) => p.startsWith('.trackio-fsck') || p.startsWith('quarantine'));

/** Once the command has finished with room: no temp of ours is left, and undo gives back the bytes from before. */
function expectUndoRestores(dataDir: string, before: Record<string, string>, what: string): void {
  expect(ownTemps(dataDir), what).toEqual([]);
  const undone = runCli(['undo', dataDir]);
  expect(undone.code, `${what}, undo: ${undone.stderr}`).toBe(0);
  expect(users(dataDir), `${what}, undo`).toEqual(before);
}

describe.skipIf(!canMount)('disk full at every amount of free space', () => {
  it('repair -y (backup inside the data dir): exit 1 or 8; files before or after; space back: repair -y finishes, undo reverts', () => {
    const template = makeDataDir(tempDir(), { runs: 3, steps: 2500 });
    damage.truncateMidLine(template, runId(0));
    damage.invalidLineInMiddle(template, runId(1), 2);
    damage.cutJson(template, runId(2), 'config.json', 10);
    const before = users(template);
    const reference = join(tempDir(), 'trackio');
    copyTree(template, reference);
    expect(runCli(['repair', '-y', reference]).code).toBe(1);
    const after = users(reference);

    sweep((disk, free) => {
      const { dataDir, filler } = copyOnto(disk, template, free);
      const what = `repair -y with ${free / 1024} KiB free`;
      const outcome = expectCleanOutcome(runCli(['repair', '-y', dataDir]), [1], what);
      expectBeforeOrAfter(users(dataDir), before, after, what);
      // The read-only check still works on a full disk, and sees what is left to do.
      expect(runCli(['check', dataDir]).code, what).toBe(outcome === 'ok' ? 0 : 4);
      rmSync(filler);
      const resumed = runCli(['repair', '-y', dataDir]);
      expect([0, 1], `${what}, space back: ${resumed.stdout}${resumed.stderr}`).toContain(resumed.code);
      expect(users(dataDir), `${what}, space back`).toEqual(after);
      expectUndoRestores(dataDir, before, what);
      return outcome;
    });
  }, 600_000);

  it('backup to a full disk: exit 0 or 8; no snapshot that is not whole, no temp left; space back: backup and backups verify pass', () => {
    const dataDir = makeDataDir(tempDir(), { runs: 3, steps: 4000 });
    const source = users(dataDir);
    sweep((disk, free) => {
      const dest = join(disk, 'backups');
      const filler = fill(disk, free);
      const what = `backup with ${free / 1024} KiB free`;
      const made = runCli(['backup', dataDir, '--dest', dest]);
      const outcome = expectCleanOutcome(made, [0], what);
      // A copy that failed says which file, in words, and that no snapshot was made.
      if (made.stderr.includes('backup failed on')) expect(made.stderr, what).toMatch(/: no space left on the device \(ENOSPC: .*\); no snapshot was made, the data dir is unchanged$/m);
      expect(users(dataDir), what).toEqual(source);
      // Whatever the backup left is a whole, verified snapshot or nothing; verifying works on a full disk.
      const verified = runCli(['backups', 'verify', '--dest', dest]);
      expect(verified.code, `${what}, backups verify: ${verified.stdout}${verified.stderr}`).toBe(0);
      expect(ownTemps(disk), what).toEqual([]);
      rmSync(filler);
      expect(runCli(['backup', dataDir, '--dest', dest]).code, `${what}, space back`).toBe(0);
      expect(runCli(['backups', 'verify', '--dest', dest]).code, `${what}, space back`).toBe(0);
      // A disk that fills up again: verifying still gives its verdict; only the record of it is lost.
      const full = fill(disk, 0);
      const again = runCli(['backups', 'verify', '--dest', dest]);
      expect(again.code, `${what}, verify on a full disk: ${again.stdout}${again.stderr}`).toBe(0);
      expect(again.stdout, what).toContain('backup/unrecorded');
      expect(ownTemps(disk), what).toEqual([]);
      rmSync(full);
      return outcome;
    });
  }, 600_000);

  it('manifest write on a full disk: exit 0 or 8; the old manifest stays whole; space back: write and verify pass', () => {
    const template = makeDataDir(tempDir(), { runs: 3, steps: 4000 });
    expect(runCli(['manifest', 'write', template]).code).toBe(0);
    writeRun(template, runId(3), { steps: 4000 });
    sweep((disk, free) => {
      const { dataDir, filler } = copyOnto(disk, template, free);
      const manifestBefore = snapshot(dataDir, (p) => !p.startsWith('manifest-sha256') && !p.startsWith('.trackio-fsck'));
      const what = `manifest write with ${free / 1024} KiB free`;
      const outcome = expectCleanOutcome(runCli(['manifest', 'write', dataDir]), [0], what);
      if (outcome === 'full') {
        expect(snapshot(dataDir, (p) => !p.startsWith('manifest-sha256') && !p.startsWith('.trackio-fsck')), what).toEqual(manifestBefore);
        // The old manifest still verifies what it lists (the new run is info: written after it): exit 0, not 8.
        const verified = runCli(['manifest', 'verify', '-v', dataDir]);
        expect(verified.code, what).toBe(0);
        expect(verified.stdout, what).toContain('manifest/new');
      }
      expect(ownTemps(dataDir), what).toEqual([]);
      rmSync(filler);
      expect(runCli(['manifest', 'write', dataDir]).code, `${what}, space back`).toBe(0);
      expect(runCli(['manifest', 'verify', dataDir]).code, `${what}, space back`).toBe(0);
      return outcome;
    });
  }, 600_000);

  it('restore onto a full disk: exit 0 or 8; the current data stays whole and in place; space back: restore finishes', () => {
    const root = tempDir();
    const source = makeDataDir(root, { runs: 3, steps: 4000 });
    const dest = join(root, 'backups');
    expect(runCli(['backup', source, '--dest', dest]).code).toBe(0);
    const name = readdirSync(dest).find((n) => n.startsWith('trackio_backup_'))!;
    const snapshotView = users(source);
    const current = makeDataDir(tempDir(), { runs: 1, steps: 50 });
    const currentView = users(current);
    sweep((disk, free) => {
      const { dataDir, filler } = copyOnto(disk, current, free);
      const what = `restore with ${free / 1024} KiB free`;
      const outcome = expectCleanOutcome(runCli(['restore', name, dataDir, '--dest', dest, '--yes']), [0], what);
      if (outcome === 'full') expect(users(dataDir), what).toEqual(currentView);
      else expect(users(dataDir), what).toEqual(snapshotView);
      rmSync(filler);
      if (outcome === 'full') {
        const again = runCli(['restore', name, dataDir, '--dest', dest, '--yes']);
        expect(again.code, `${what}, space back: ${again.stdout}${again.stderr}`).toBe(0);
        expect(users(dataDir), `${what}, space back`).toEqual(snapshotView);
      }
      // The data from before the restore is kept whole beside it, never deleted.
      const aside = readdirSync(disk).filter((n) => n.startsWith('trackio.before-restore-'));
      expect(aside, what).toHaveLength(1);
      expect(users(join(disk, aside[0]!)), what).toEqual(currentView);
      expect(ownTemps(disk), what).toEqual([]);
      return outcome;
    });
  }, 600_000);

  it('merge -y of an off-site copy (SQLite layout): exit 1/4 or 8; files before or after; space back: merge finishes, undo reverts', () => {
    const { a, b } = makeDivergentTrackioDirs(tempDir());
    const before = users(a);
    const reference = join(tempDir(), 'trackio');
    copyTree(a, reference);
    const merged = runCli(['merge', '-y', b, reference]);
    expect([1, 4], merged.stdout + merged.stderr).toContain(merged.code);
    const after = users(reference);
    sweep((disk, free) => {
      const { dataDir, filler } = copyOnto(disk, a, free);
      const what = `merge -y with ${free / 1024} KiB free`;
      const outcome = expectCleanOutcome(runCli(['merge', '-y', b, dataDir]), [merged.code], what);
      // A database is compared by its rows (compare), every other file by its bytes.
      const isDb = (p: string) => /\.db$/.test(p);
      const strip = (v: Record<string, string>) => Object.fromEntries(Object.entries(v).filter(([p]) => !isDb(p)));
      expectBeforeOrAfter(strip(users(dataDir)), strip(before), strip(after), what);
      const againstA = runCli(['compare', a, dataDir]).code;
      const againstMerged = runCli(['compare', reference, dataDir]).code;
      expect(againstA === 0 || againstMerged === 0, `${what}: the data is A's or the merged one`).toBe(true);
      rmSync(filler);
      const resumed = runCli(['merge', '-y', b, dataDir]);
      expect([0, 1, 4], `${what}, space back: ${resumed.stdout}${resumed.stderr}`).toContain(resumed.code);
      expect(runCli(['compare', reference, dataDir]).code, `${what}, space back: as merged with room`).toBe(0);
      expectUndoRestores(dataDir, before, what);
      return outcome;
    });
  }, 600_000);
});
