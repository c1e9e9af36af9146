import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { flipBit, makeDataDir, runId, writeAwkwardFiles, writeLargeArtifact, damage } from '../../fixtures/build/dataDir.mjs';
import { backup, listSnapshots, pruneSnapshots, verifyBackups } from '../../src/index.js';
import { findVerifiedCopy } from '../helpers/internals.js';
import { runCli, tempDir } from '../helpers/cli.js';
import { readTree, sameTree } from '../helpers/tree.js';

const OWN = new Set(['manifest-sha256.txt', '.trackio-fsck-snapshot.json', '.trackio-fsck-snapshot-index.jsonl']);
const dataOf = (tree: ReturnType<typeof readTree>) => new Map([...tree].filter(([p]) => !OWN.has(p)));
const sha256sumAvailable = spawnSync('sha256sum', ['--version']).status === 0;

/** A snapshot renamed to an older time, so tests need not wait a second between backups. */
function backdate(backupsDir: string, name: string, i: number): string {
  const older = `trackio_backup_20250101_0000${String(i).padStart(2, '0')}`;
  renameSync(join(backupsDir, name), join(backupsDir, older));
  return older;
}

describe('backup: a verified, hard-linked snapshot', () => {
  it('copies odd names, empty files, a 50 MiB file and an internal symlink; keeps an escaping link as a link, not followed', async () => {
    const root = tempDir();
    const dataDir = makeDataDir(root, { runs: 2 });
    writeAwkwardFiles(dataDir, runId(0));
    writeLargeArtifact(dataDir, runId(1), 50);
    damage.symlinkEscape(dataDir, runId(1));
    const dest = join(root, 'backups');
    const result = await backup(dataDir, { dest });

    // The link out is kept as a link; what it leads to is not in the snapshot, so the backup says so (exit 4), as check does.
    expect(result.exitCode).toBe(4);
    expect(result.snapshot.name).toMatch(/^trackio_backup_\d{8}_\d{6}$/);
    expect(result.findings.map((f) => [f.code, f.path])).toEqual([['backup/symlink-escape', `runs/${runId(1)}/artifacts/escape`]]);
    const snap = result.snapshot.path;
    // Byte for byte, name for name, link for link: the snapshot is the data dir.
    expect(sameTree(dataOf(readTree(snap)), readTree(dataDir)).mtimeDrift).toBeLessThan(0.01);
    expect(lstatSync(join(snap, 'runs', runId(1), 'artifacts', 'escape')).isSymbolicLink()).toBe(true);
    expect(readFileSync(join(snap, 'runs', runId(0), 'artifacts', 'new\nline.txt'), 'utf8')).toContain('new\nline');
    expect(readdirSync(dest)).toEqual([result.snapshot.name]);
    const meta = JSON.parse(readFileSync(join(snap, '.trackio-fsck-snapshot.json'), 'utf8'));
    expect(meta).toMatchObject({ state: 'complete', source: dataDir, files: result.summary.files, linked: 0 });
  });

  it.runIf(sha256sumAvailable)('the snapshot verifies with the real sha256sum --strict -c, odd names included', async () => {
    const root = tempDir();
    const dataDir = makeDataDir(root, { runs: 1 });
    const written = writeAwkwardFiles(dataDir, runId(0));
    const { snapshot } = await backup(dataDir, { dest: join(root, 'b') });
    const r = spawnSync('sha256sum', ['--strict', '-c', 'manifest-sha256.txt'], { cwd: snapshot.path, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    // + .trackio-fsck/.gitignore: backup holds the data dir's lock, and the tool's state folder carries its .gitignore
    expect(r.stdout.trim().split('\n')).toHaveLength(6 + written.length);
    expect(r.stdout).toContain('\\n'); // the newline name, escaped as coreutils does
    flipBit(join(snapshot.path, 'runs', runId(0), 'metrics.jsonl'), 3);
    expect(spawnSync('sha256sum', ['--strict', '-c', 'manifest-sha256.txt'], { cwd: snapshot.path }).status).toBe(1);
  });

  it('a second snapshot of unchanged data hard-links every file and takes almost no space; a changed file is copied', async () => {
    const root = tempDir();
    const dataDir = makeDataDir(root, { runs: 3 });
    writeLargeArtifact(dataDir, runId(0), 8);
    const dest = join(root, 'b');
    const first = await backup(dataDir, { dest });
    const firstName = backdate(dest, first.snapshot.name, 1);
    appendFileSync(join(dataDir, 'runs', runId(2), 'metrics.jsonl'), '{"step": 5, "loss": 0.1}\n');
    const second = await backup(dataDir, { dest });

    expect(second.linkedFrom).toBe(firstName);
    expect(second.summary).toMatchObject({ files: 17, copied: 1, linked: 16 });
    const ino = (snap: string, rel: string) => lstatSync(join(snap, rel)).ino;
    const a = join(dest, firstName);
    const b = second.snapshot.path;
    expect(ino(b, `runs/${runId(0)}/artifacts/checkpoint.pt`)).toBe(ino(a, `runs/${runId(0)}/artifacts/checkpoint.pt`));
    expect(ino(b, `runs/${runId(2)}/metrics.jsonl`)).not.toBe(ino(a, `runs/${runId(2)}/metrics.jsonl`));
    expect(readFileSync(join(b, 'runs', runId(2), 'metrics.jsonl'), 'utf8')).toContain('"step": 5');

    const listing = await listSnapshots(dest);
    const [one, two] = listing.snapshots;
    expect(one!.bytes).toBeGreaterThan(8 * 1024 * 1024);
    // The data's bytes (the snapshots' own records vary: racy marks in the index come and go with timing).
    expect(second.summary.bytes - first.summary.bytes).toBeGreaterThan(0); // the appended record
    expect(second.summary.bytes - first.summary.bytes).toBeLessThan(1024);
    expect(two!.diskBytes).toBeLessThan(200 * 1024); // directories and records only, not 8 MiB again
    expect(one!.diskBytes).toBeGreaterThan(8 * 1024 * 1024);
  });

  it('where syncfs is not used, every file and directory is fsynced instead, and the snapshot is the same', () => {
    const root = tempDir();
    const dataDir = makeDataDir(root, { runs: 2 });
    writeAwkwardFiles(dataDir, runId(0));
    const dest = join(root, 'b');
    const r = runCli(['backup', dataDir, '--dest', dest, '--json'], { env: { TRACKIO_FSCK_NO_SYNCFS: '1' } });
    expect(r.code).toBe(0);
    const snap = JSON.parse(r.stdout).snapshot.path;
    expect(sameTree(dataOf(readTree(snap)), readTree(dataDir)).mtimeDrift).toBeLessThan(0.01);
    expect(runCli(['backups', 'verify', '--dest', dest]).code).toBe(0);
  });

  it('two backups in the same second get two names (the second waits for the next second)', async () => {
    const root = tempDir();
    const dataDir = makeDataDir(root, { runs: 1 });
    const dest = join(root, 'b');
    const a = await backup(dataDir, { dest });
    const b = await backup(dataDir, { dest });
    expect(a.snapshot.name).not.toBe(b.snapshot.name);
    expect(readdirSync(dest).sort()).toEqual([a.snapshot.name, b.snapshot.name].sort());
  });

  it('leaves out BACKUPS when it lies inside the data dir, and repair state, but keeps quarantine', async () => {
    const root = tempDir();
    const dataDir = makeDataDir(root, { runs: 1 });
    mkdirSync(join(dataDir, '.trackio-fsck', 'repairs', '20260101'), { recursive: true });
    writeFileSync(join(dataDir, '.trackio-fsck', 'repairs', '20260101', 'journal.json'), '{}');
    mkdirSync(join(dataDir, 'quarantine'), { recursive: true });
    writeFileSync(join(dataDir, 'quarantine', 'bad.jsonl'), 'x\n');
    const dest = join(dataDir, 'backups');
    await backup(dataDir, { dest });
    const second = await backup(dataDir, { dest });
    const snap = second.snapshot.path;
    expect(existsSync(join(snap, 'backups'))).toBe(false);
    expect(existsSync(join(snap, '.trackio-fsck', 'repairs'))).toBe(false);
    expect(readFileSync(join(snap, 'quarantine', 'bad.jsonl'), 'utf8')).toBe('x\n');
  });

  it("keeps the data dir's own manifest-sha256.txt under another name and lists it in the snapshot manifest", async () => {
    const root = tempDir();
    const dataDir = makeDataDir(root, { runs: 1 });
    writeFileSync(join(dataDir, 'manifest-sha256.txt'), 'recorded by manifest write\n');
    const { snapshot } = await backup(dataDir, { dest: join(root, 'b') });
    expect(readFileSync(join(snapshot.path, '.trackio-fsck-source-manifest-sha256.txt'), 'utf8')).toBe('recorded by manifest write\n');
    expect(readFileSync(join(snapshot.path, 'manifest-sha256.txt'), 'utf8')).toMatch(/ {2}\.trackio-fsck-source-manifest-sha256\.txt\n/);
  });
});

describe('backups verify: bit rot in a snapshot', () => {
  it('catches a flipped bit (exit 4); a hard-linked copy is the same bytes in every snapshot that shares it', async () => {
    const root = tempDir();
    const dataDir = makeDataDir(root, { runs: 2 });
    const dest = join(root, 'b');
    const a = backdate(dest, (await backup(dataDir, { dest })).snapshot.name, 1);
    appendFileSync(join(dataDir, 'runs', runId(1), 'metrics.jsonl'), '{"step": 5, "loss": 0.1}\n');
    const b = (await backup(dataDir, { dest })).snapshot.name;

    // Shared inode (unchanged file): the rot shows in both snapshots, honestly.
    flipBit(join(dest, a, 'runs', runId(0), 'artifacts', 'model.bin'), 100, 3);
    const both = runCli(['backups', 'verify', '--dest', dest, '--json']);
    expect(both.code).toBe(4);
    const doc = JSON.parse(both.stdout);
    expect(doc.snapshots.map((s: { name: string; ok: boolean }) => [s.name, s.ok])).toEqual([[a, false], [b, false]]);
    for (const s of doc.snapshots) {
      expect(s.findings).toMatchObject([{ code: 'backup/modified', severity: 'error', path: `${s.name}/runs/${runId(0)}/artifacts/model.bin` }]);
      expect(s.findings[0].message).toContain('shared by 2 names');
    }
    expect((await listSnapshots(dest)).snapshots.map((s) => s.state)).toEqual(['damaged', 'damaged']);
  });

  it('rot in a copy only one snapshot holds damages only that one; verify NAME checks one', async () => {
    const root = tempDir();
    const dataDir = makeDataDir(root, { runs: 2 });
    const dest = join(root, 'b');
    const a = backdate(dest, (await backup(dataDir, { dest })).snapshot.name, 1);
    appendFileSync(join(dataDir, 'runs', runId(1), 'metrics.jsonl'), '{"step": 5, "loss": 0.1}\n');
    const b = (await backup(dataDir, { dest })).snapshot.name;
    flipBit(join(dest, b, 'runs', runId(1), 'metrics.jsonl'), 0, 1);
    const all = await verifyBackups(dest);
    expect(all.exitCode).toBe(4);
    expect(all.snapshots.map((s) => [s.name, s.ok])).toEqual([[a, true], [b, false]]);
    const one = runCli(['backups', 'verify', a, '--dest', dest]);
    expect(one.code).toBe(0);
    expect(one.stdout).toMatch(new RegExp(`${a}  ok`));
    const states = Object.fromEntries((await listSnapshots(dest)).snapshots.map((s) => [s.name, s.state]));
    expect(states).toEqual({ [a]: 'verified', [b]: 'damaged' });
  });

  it('a previous copy written into (its mtime moved) is re-hashed, and copied afresh when it no longer matches', async () => {
    const root = tempDir();
    const dataDir = makeDataDir(root, { runs: 1 });
    const dest = join(root, 'b');
    const a = backdate(dest, (await backup(dataDir, { dest })).snapshot.name, 1);
    const copy = join(dest, a, 'runs', runId(0), 'config.json');
    const bytes = readFileSync(copy);
    bytes[2] ^= 4;
    writeFileSync(copy, bytes); // a write through the filesystem: the copy's mtime is now
    const next = await backup(dataDir, { dest });
    expect(next.findings.map((f) => f.code)).toEqual(['backup/previous-damaged']);
    expect(next.summary).toMatchObject({ copied: 1, linked: 5 });
    const v = await verifyBackups(dest, next.snapshot.name);
    expect(v.exitCode).toBe(0);
  });

  it('reports a missing file and an unlisted one', async () => {
    const root = tempDir();
    const dataDir = makeDataDir(root, { runs: 1 });
    const dest = join(root, 'b');
    const { snapshot } = await backup(dataDir, { dest });
    renameSync(join(snapshot.path, 'runs', runId(0), 'summary.json'), join(snapshot.path, 'runs', runId(0), 'summary.json.moved'));
    const v = await verifyBackups(dest);
    expect(v.snapshots[0]!.findings.map((f) => f.code)).toEqual(['backup/missing', 'backup/unlisted']);
  });
});

describe('backups prune', () => {
  it('--keep 2 over four snapshots removes the two oldest and a leftover, leaves a cp -r copy alone, prints what it removed', async () => {
    const root = tempDir();
    const dataDir = makeDataDir(root, { runs: 1 });
    const dest = join(root, 'b');
    const names: string[] = [];
    for (let i = 1; i <= 4; i++) names.push(backdate(dest, (await backup(dataDir, { dest })).snapshot.name, i));
    mkdirSync(join(dest, '.incomplete-trackio_backup_20250102_000000-999'));
    mkdirSync(join(dest, 'trackio_backup_20240101_000000')); // a tutorial-style cp -r backup: no record
    const r = runCli(['backups', 'prune', '--keep', '2', '--dest', dest]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`removed ${names[0]}`);
    expect(r.stdout).toContain(`removed ${names[1]}`);
    expect(r.stdout).toContain('removed .incomplete-trackio_backup_20250102_000000-999');
    expect(readdirSync(dest).sort()).toEqual(['trackio_backup_20240101_000000', names[2], names[3]].sort());
  });

  it('never deletes the newest verified snapshot, even when the newer ones are damaged', async () => {
    const root = tempDir();
    const dataDir = makeDataDir(root, { runs: 1 });
    const dest = join(root, 'b');
    const metrics = join(dataDir, 'runs', runId(0), 'metrics.jsonl');
    const names: string[] = [];
    for (let i = 1; i <= 4; i++) {
      appendFileSync(metrics, `{"step": ${10 + i}, "loss": 0.1}\n`); // a fresh, unshared copy in each snapshot
      names.push(backdate(dest, (await backup(dataDir, { dest })).snapshot.name, i));
    }
    for (const n of names.slice(2)) flipBit(join(dest, n, 'runs', runId(0), 'metrics.jsonl'), 0);
    expect((await verifyBackups(dest)).summary.damaged).toBe(2);
    const pruned = await pruneSnapshots(dest, 2);
    expect(pruned.removed.map((r) => r.name)).toEqual([names[0]]);
    expect(pruned.kept.find((k) => k.name === names[1])?.reason).toMatch(/newest verified/);
    expect(readdirSync(dest).sort()).toEqual(names.slice(1));
  });

  it('backup --keep prunes after a successful backup', async () => {
    const root = tempDir();
    const dataDir = makeDataDir(root, { runs: 1 });
    const dest = join(root, 'b');
    for (let i = 1; i <= 3; i++) backdate(dest, (await backup(dataDir, { dest })).snapshot.name, i);
    const r = runCli(['backup', dataDir, '--dest', dest, '--keep', '2', '--json']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.pruned.removed.map((x: { name: string }) => x.name)).toEqual(['trackio_backup_20250101_000001', 'trackio_backup_20250101_000002']);
    expect(readdirSync(dest).sort()).toEqual(['trackio_backup_20250101_000003', doc.snapshot.name]);
  });
});

describe('an interrupted backup never looks complete', () => {
  for (const point of ['backup-file:3', 'backup-before-rename']) {
    it(`SIGKILL at ${point}: only an .incomplete- leftover; list, verify, restore and prune treat it so; the next backup works`, async () => {
      const root = tempDir();
      const dataDir = makeDataDir(root, { runs: 2 });
      const dest = join(root, 'b');
      const killed = runCli(['backup', dataDir, '--dest', dest], { env: { TRACKIO_FSCK_FAULT: point } });
      expect(killed.code).toBe(-1); // killed by a signal: no exit status
      const left = readdirSync(dest).filter((n) => !n.endsWith('.lock'));
      expect(left).toHaveLength(1);
      expect(left[0]).toMatch(/^\.incomplete-trackio_backup_\d{8}_\d{6}-\d+$/);

      const list = JSON.parse(runCli(['backups', 'list', '--dest', dest, '--json']).stdout);
      expect(list.snapshots.map((s: { state: string }) => s.state)).toEqual(['incomplete']);
      const verify = runCli(['backups', 'verify', '--dest', dest, '--json']);
      expect(JSON.parse(verify.stdout).findings.map((f: { code: string }) => f.code)).toEqual(['backup/incomplete']);
      const restore = runCli(['restore', join(dest, left[0]!), join(root, 'elsewhere'), '--yes']);
      expect(restore.code).toBe(4);

      const next = runCli(['backup', dataDir, '--dest', dest, '--keep', '1', '--json']);
      expect(next.code).toBe(0); // the dead backup's lock is taken over
      const doc = JSON.parse(next.stdout);
      expect(doc.summary.linked).toBe(0); // nothing is linked from a leftover
      expect(doc.pruned.removed.map((r: { state: string }) => r.state)).toEqual(['incomplete']);
      expect(readdirSync(dest)).toEqual([doc.snapshot.name]);
    });
  }
});

describe('findVerifiedCopy: heal from backup', () => {
  it('returns the newest copy whose bytes hash to the expected value, skipping a rotted one', async () => {
    const root = tempDir();
    const dataDir = makeDataDir(root, { runs: 1 });
    const dest = join(root, 'b');
    const rel = `runs/${runId(0)}/config.json`;
    const old = backdate(dest, (await backup(dataDir, { dest })).snapshot.name, 1);
    const expected = readTree(dataDir).get(rel)!.sha256!;
    writeFileSync(join(dataDir, rel), '{"learning_rate": 0.02}'); // changed since: the newer copy differs
    const newer = (await backup(dataDir, { dest })).snapshot.name;

    expect(await findVerifiedCopy(dest, rel, expected)).toMatchObject({ snapshot: old, path: join(dest, old, rel), sha256: expected });
    const now = readTree(dataDir).get(rel)!.sha256!;
    expect((await findVerifiedCopy(dest, rel, now))?.snapshot).toBe(newer);
    flipBit(join(dest, old, rel), 1);
    expect(await findVerifiedCopy(dest, rel, expected)).toBeUndefined();
    expect(await findVerifiedCopy(dest, 'runs/nope/config.json', expected)).toBeUndefined();
  });
});
