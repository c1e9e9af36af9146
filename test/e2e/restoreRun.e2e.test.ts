import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeDataDir, runId } from '../../fixtures/build/dataDir.mjs';
import { makeTrackioDir, trackioDamage } from '../../fixtures/build/trackioDb.mjs';
import { runCli, tempDir } from '../helpers/cli.js';
import { snapshot } from '../helpers/repairTree.js';

const sha = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');
const snapshotsIn = (dest: string) => readdirSync(dest).filter((n) => n.startsWith('trackio_backup_')).sort();

describe('restore SNAPSHOT --run ID: one run back, nothing else touched', () => {
  it('brings back one run byte for byte, moves the current one to quarantine/, leaves the other runs alone', () => {
    const root = tempDir();
    const dataDir = makeDataDir(root, { runs: 3 });
    expect(runCli(['backup', dataDir]).code).toBe(0);
    const [snap] = snapshotsIn(join(root, 'trackio_backups'));
    const good = snapshot(join(dataDir, 'runs', runId(1)));
    writeFileSync(join(dataDir, 'runs', runId(1), 'config.json'), 'oops');
    writeFileSync(join(dataDir, 'runs', runId(1), 'notes.txt'), 'added after the backup');
    const others = [0, 2].map((i) => snapshot(join(dataDir, 'runs', runId(i))));
    const r = runCli(['restore', snap!, dataDir, '--run', runId(1), '--json']);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({ command: 'restore', run: runId(1), exitCode: 0 });
    expect(snapshot(join(dataDir, 'runs', runId(1)))).toEqual(good);
    expect([0, 2].map((i) => snapshot(join(dataDir, 'runs', runId(i))))).toEqual(others);
    // The replaced version is kept whole, never deleted.
    expect(readFileSync(join(dataDir, doc.aside, 'config.json'), 'utf8')).toBe('oops');
    expect(readFileSync(join(dataDir, doc.aside, 'notes.txt'), 'utf8')).toBe('added after the backup');
    expect(readdirSync(join(dataDir, '.trackio-fsck')).filter((n) => n.startsWith('restoring-'))).toEqual([]);
    expect(runCli(['check', dataDir]).code).toBe(0);
  });

  it('refuses a live run (exit 8, nothing changed), a run the snapshot lacks, and a damaged copy', () => {
    const root = tempDir();
    const dataDir = makeDataDir(root, { runs: 2 });
    expect(runCli(['backup', dataDir]).code).toBe(0);
    const dest = join(root, 'trackio_backups');
    const [snap] = snapshotsIn(dest);
    rmSync(join(dataDir, 'runs', runId(0), 'summary.json'));
    const now = new Date();
    utimesSync(join(dataDir, 'runs', runId(0), 'metrics.jsonl'), now, now);
    const before = snapshot(dataDir);
    const live = runCli(['restore', snap!, dataDir, '--run', runId(0)]);
    expect(live.code).toBe(8);
    expect(live.stderr).toMatch(/looks live \(metrics\.jsonl changed \d+ s ago.*--live-window 0 or --force/);
    expect(snapshot(dataDir)).toEqual(before);
    expect(runCli(['restore', snap!, dataDir, '--run', runId(0), '--live-window', '0']).code).toBe(0);

    const missing = runCli(['restore', snap!, dataDir, '--run', 'no-such-run']);
    expect(missing.code).toBe(8);
    expect(missing.stderr).toContain('holds no run no-such-run');

    // A copy whose bytes rotted in the snapshot is never put in place.
    const copy = join(dest, snap!, 'runs', runId(1), 'config.json');
    rmSync(copy); // hard links: replace, do not edit in place
    writeFileSync(copy, 'rotten');
    const beforeRot = snapshot(dataDir);
    const rotten = runCli(['restore', snap!, dataDir, '--run', runId(1)]);
    expect(rotten.code).not.toBe(0);
    expect(snapshot(dataDir, (p) => p.startsWith('.trackio-fsck'))).toEqual(Object.fromEntries(Object.entries(beforeRot).filter(([p]) => !p.startsWith('.trackio-fsck'))));
  });

  it("Trackio's SQLite layout: --run PROJECT brings back that project's database only", () => {
    const root = tempDir();
    const dataDir = makeTrackioDir(root, { projects: [['a', 'current'], ['b', 'current']], steps: 400 });
    expect(runCli(['backup', dataDir]).code).toBe(0);
    const [snap] = snapshotsIn(join(root, 'trackio_backups'));
    const other = sha(join(dataDir, 'b.db'));
    trackioDamage.corruptPage(dataDir, 'a');
    expect(runCli(['check', dataDir]).code).toBe(4);
    const r = runCli(['restore', snap!, dataDir, '--run', 'a']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/the previous version is in quarantine\/before-restore-[^/]+\/a\.db/);
    expect(sha(join(dataDir, 'b.db'))).toBe(other);
    expect(runCli(['check', dataDir]).code).toBe(0);
    expect(existsSync(join(dataDir, 'a.db'))).toBe(true);
  });
});
