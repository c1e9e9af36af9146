// Backups and restores killed (SIGKILL) at every durable point, each on a fresh copy: the data dir
// and every earlier snapshot stay whole, nothing half-made ever looks complete, and running the same
// command again finishes the job.
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeDataDir, runId, writeRun } from '../../fixtures/build/dataDir.mjs';
import { runCli, tempDir } from '../helpers/cli.js';
import { killAtEveryPoint } from '../helpers/faults.js';
import { copyTree, snapshot } from '../helpers/repairTree.js';

/** A data dir's files as a user sees them (the tool's own state and the manifest left out). */
const view = (dir: string) => snapshot(dir, (p) => p.startsWith('.trackio-fsck') || p === 'manifest-sha256.txt');
const snapshotsIn = (dest: string) => readdirSync(dest).filter((n) => n.startsWith('trackio_backup_')).sort();

/** `<root>/.trackio` and `<root>/backups` copied to a fresh root; returns the new data dir. */
function freshRoot(template: string): () => string {
  return () => {
    const root = tempDir();
    copyTree(template, root);
    return join(root, '.trackio');
  };
}
const destOf = (dataDir: string) => join(dirname(dataDir), 'backups');

describe('backup and restore killed at any durable point (SIGKILL)', () => {
  it('a second backup: the data and the first snapshot stay whole; the next backup makes a verified snapshot', async () => {
    const template = tempDir();
    const dataDir = makeDataDir(template, { runs: 2, steps: 20 });
    expect(runCli(['backup', dataDir, '--dest', destOf(dataDir)]).code).toBe(0);
    const [first] = snapshotsIn(destOf(dataDir));
    const firstView = view(join(destOf(dataDir), first!));
    // Since the first backup: one file changed, one run added; the rest is linked from the first.
    writeFileSync(join(dataDir, 'runs', runId(0), 'config.json'), '{"learning_rate": 0.5}\n');
    writeRun(dataDir, runId(2), { steps: 20 });
    const dataView = view(dataDir);

    const points = await killAtEveryPoint(freshRoot(template), (d) => ['backup', d, '--dest', destOf(d)], 0, (killed, n) => {
      const dest = destOf(killed);
      expect(view(killed), `point ${n}: the data dir`).toEqual(dataView);
      expect(snapshotsIn(dest), `point ${n}: no new snapshot looks complete`).toEqual([first]);
      expect(view(join(dest, first!)), `point ${n}: the first snapshot`).toEqual(firstView);
      const verify = runCli(['backups', 'verify', '--dest', dest]);
      expect(verify.code, `point ${n}: ${verify.stdout}${verify.stderr}`).toBe(0);
      const again = runCli(['backup', killed, '--dest', dest]);
      expect(again.code, `point ${n}, backup again: ${again.stderr}`).toBe(0);
      const made = snapshotsIn(dest);
      expect(made, `point ${n}`).toHaveLength(2);
      expect(view(join(dest, made[1]!)), `point ${n}: the new snapshot`).toEqual(dataView);
      expect(runCli(['backups', 'verify', '--dest', dest]).code, `point ${n}: both verify`).toBe(0);
    });
    // a point per file, then the rename
    expect(points).toBeGreaterThanOrEqual(10);
  }, 900_000);

  it('a whole restore: the data dir is the old one or the snapshot, never a mix; restore again finishes; the old data is kept aside', async () => {
    const template = tempDir();
    const source = makeDataDir(join(template, 'source'), { runs: 3, steps: 20 });
    const dest = join(template, 'backups');
    expect(runCli(['backup', source, '--dest', dest]).code).toBe(0);
    const [name] = snapshotsIn(dest);
    const snapshotView = view(source);
    const current = makeDataDir(template, { runs: 1, steps: 7 });
    const currentView = view(current);

    const points = await killAtEveryPoint(freshRoot(template), (d) => ['restore', name!, d, '--dest', destOf(d), '--yes'], 0, (killed, n) => {
      const root = dirname(killed);
      const asides = () => readdirSync(root).filter((e) => e.startsWith('.trackio.before-restore-'));
      if (existsSync(killed)) expect([currentView, snapshotView], `point ${n}: the data dir`).toContainEqual(view(killed));
      const again = runCli(['restore', name!, killed, '--dest', destOf(killed), '--yes']);
      expect(again.code, `point ${n}, restore again: ${again.stdout}${again.stderr}`).toBe(0);
      expect(view(killed), `point ${n}: restored`).toEqual(snapshotView);
      expect(readdirSync(root).filter((e) => e.includes('.trackio-fsck-restoring-')), `point ${n}: no staging copy left`).toEqual([]);
      // The data from before is kept whole, once (a second restore after a finished one keeps the restored copy too).
      expect(asides().map((a) => view(join(root, a))), `point ${n}: the old data is kept`).toContainEqual(currentView);
    });
    expect(points).toBeGreaterThanOrEqual(3);
  }, 600_000);

  it('restore --run: the run is the old one or the snapshot\'s, the other runs untouched; restore again finishes; the old run is in quarantine', async () => {
    const template = tempDir();
    const dataDir = makeDataDir(template, { runs: 3, steps: 20 });
    expect(runCli(['backup', dataDir, '--dest', destOf(dataDir)]).code).toBe(0);
    const [name] = snapshotsIn(destOf(dataDir));
    const run = `runs/${runId(1)}`;
    const inRun = (v: Record<string, string>) => Object.fromEntries(Object.entries(v).filter(([p]) => p.startsWith(`${run}/`)));
    const outside = (v: Record<string, string>) => Object.fromEntries(Object.entries(v).filter(([p]) => !p.startsWith(run) && !p.startsWith('quarantine')));
    const good = inRun(view(dataDir));
    writeFileSync(join(dataDir, run, 'config.json'), 'oops\n');
    writeFileSync(join(dataDir, run, 'notes.txt'), 'written after the backup\n');
    const bad = inRun(view(dataDir));
    const others = outside(view(dataDir));

    const points = await killAtEveryPoint(freshRoot(template), (d) => ['restore', name!, d, '--run', runId(1), '--dest', destOf(d), '--yes'], 0, (killed, n) => {
      expect(outside(view(killed)), `point ${n}: the other runs`).toEqual(others);
      expect([bad, good, {}], `point ${n}: the run`).toContainEqual(inRun(view(killed)));
      const again = runCli(['restore', name!, killed, '--run', runId(1), '--dest', destOf(killed), '--yes']);
      expect(again.code, `point ${n}, restore again: ${again.stdout}${again.stderr}`).toBe(0);
      expect(inRun(view(killed)), `point ${n}: restored`).toEqual(good);
      expect(outside(view(killed)), `point ${n}: the other runs`).toEqual(others);
      expect(readdirSync(join(killed, '.trackio-fsck')).filter((e) => e.startsWith('restoring-')), `point ${n}: the killed staging copy is gone`).toEqual([]);
      // The damaged version is in quarantine, whole, whatever point the kill hit.
      const q = view(join(killed, 'quarantine'));
      const kept = Object.entries(q).filter(([p]) => p.endsWith(`${run}/notes.txt`));
      expect(kept.length, `point ${n}: the old run kept in quarantine`).toBeGreaterThanOrEqual(1);
    });
    expect(points).toBeGreaterThanOrEqual(3);
  }, 600_000);
});
