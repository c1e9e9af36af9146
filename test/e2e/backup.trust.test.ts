// The trust rule of an incremental backup (src/engine/backup/linkFromPrevious.ts): an unchanged file
// is hard-linked to the previous snapshot's copy without reading either; what counts as unchanged,
// and how rot in such a shared copy is still found (backups verify) and healed (the next backup).
import { spawnSync } from 'node:child_process';
import { chmodSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { flipBit, makeDataDir, runId, writeLargeArtifact } from '../../fixtures/build/dataDir.mjs';
import { backup, verifyBackups } from '../../src/index.js';
import { tempDir } from '../helpers/cli.js';

const INDEX = '.trackio-fsck-snapshot-index.jsonl';
const META = '.trackio-fsck-snapshot.json';

/** A snapshot renamed to an older time, so tests need not wait a second between backups. */
function backdate(backupsDir: string, name: string, i: number): string {
  const older = `trackio_backup_20250101_0000${String(i).padStart(2, '0')}`;
  renameSync(join(backupsDir, name), join(backupsDir, older));
  return older;
}

type Entry = { t: string; p: string; sha256?: string; racy?: 1; cino?: number };
const readIndex = (snap: string): Entry[] => readFileSync(join(snap, INDEX), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Entry);
const writeIndex = (snap: string, entries: Entry[]) => writeFileSync(join(snap, INDEX), entries.map((e) => JSON.stringify(e) + '\n').join(''));
const sha256Of = (file: string) => spawnSync('sha256sum', [file], { encoding: 'utf8' }).stdout.split(' ')[0];
const manifestHash = (snap: string, p: string) => readFileSync(join(snap, 'manifest-sha256.txt'), 'utf8').split('\n').find((l) => l.endsWith(`  ${p}`))?.split(' ')[0];

/** `touch -d` back to the exact (nanosecond) mtime the file had: only ctime and maybe the inode betray the change. */
function restoreMtime(file: string, mtimeNs: bigint): void {
  const r = spawnSync('touch', ['-m', '-d', `@${mtimeNs / 1_000_000_000n}.${String(mtimeNs % 1_000_000_000n).padStart(9, '0')}`, file]);
  expect(r.status).toBe(0);
  expect(statSync(file, { bigint: true }).mtimeNs).toBe(mtimeNs);
}

/** Changes that keep the file's size and mtime, each made to a different file. */
const SAME_SIZE_AND_MTIME: Array<[string, (file: string) => void]> = [
  ['rewritten in place', (f) => writeFileSync(f, readFileSync(f, 'utf8').replace(/[0-9]/, (d) => String((Number(d) + 1) % 10)))],
  ['replaced by rename (new inode)', (f) => {
    writeFileSync(`${f}.tmp`, readFileSync(f, 'utf8').replace(/[0-9]/, (d) => String((Number(d) + 1) % 10)));
    renameSync(`${f}.tmp`, f);
  }],
  ['mode changed only', (f) => chmodSync(f, 0o600)],
];

describe('backup: what an unchanged file is', () => {
  it('a file changed with its size and mtime restored (touch -d) is copied again, never linked', async () => {
    const root = tempDir();
    const dataDir = makeDataDir(root, { runs: SAME_SIZE_AND_MTIME.length + 1 });
    // Files written this recently are recorded as racy and re-read anyway: let them age past that
    // window, so that only the stat rule can see these changes.
    await new Promise((r) => setTimeout(r, 2100));
    const dest = join(root, 'b');
    const first = await backup(dataDir, { dest });
    // (The backup's own .trackio-fsck/.gitignore, written by it a moment before, is racy.)
    expect(readIndex(first.snapshot.path).filter((e) => e.racy && e.p.startsWith('runs/'))).toEqual([]);
    backdate(dest, first.snapshot.name, 1);

    const changed = SAME_SIZE_AND_MTIME.map(([what, change], i) => {
      const rel = `runs/${runId(i)}/config.json`;
      const file = join(dataDir, rel);
      const before = statSync(file, { bigint: true });
      change(file);
      restoreMtime(file, before.mtimeNs);
      expect(statSync(file).size, what).toBe(Number(before.size));
      return { what, rel, sha256: sha256Of(file) };
    });

    const second = await backup(dataDir, { dest });
    expect(second.findings).toEqual([]);
    expect(second.summary.copied).toBe(changed.length);
    expect(second.summary.linked).toBe(second.summary.files - changed.length);
    for (const c of changed) {
      expect(manifestHash(second.snapshot.path, c.rel), c.what).toBe(c.sha256);
      expect(sha256Of(join(second.snapshot.path, c.rel)), c.what).toBe(c.sha256);
    }
    expect((await verifyBackups(dest)).exitCode).toBe(0);
  });

  it('a file written just before it was read is recorded racy, and the next backup re-reads it instead of trusting its stat', async () => {
    const root = tempDir();
    const dataDir = makeDataDir(root, { runs: 1 });
    const dest = join(root, 'b');
    const first = await backup(dataDir, { dest });
    const entries = readIndex(first.snapshot.path);
    const files = entries.filter((e) => e.t === 'f');
    // The backup's own .trackio-fsck/.gitignore is written a moment before it is read: always racy
    // (the run's files too, unless the machine took 2 s to get from writing them to reading them).
    expect(files.some((e) => e.racy === 1)).toBe(true);
    // Make the record disagree with the source while every stat still matches: only a re-read sees it.
    const target = files.find((e) => e.racy === 1)!;
    writeIndex(first.snapshot.path, entries.map((e) => (e.p === target.p ? { ...e, sha256: '0'.repeat(64) } : e)));
    backdate(dest, first.snapshot.name, 1);
    const second = await backup(dataDir, { dest });
    expect(second.summary).toMatchObject({ copied: 1, linked: files.length - 1 });
    expect(manifestHash(second.snapshot.path, target.p)).toBe(target.sha256);
  });
});

describe("backup: trusting the previous snapshot's copy", () => {
  it('links a copy whose recorded inode and mtime still hold without reading it; the snapshot is proven as of the previous proof', async () => {
    const root = tempDir();
    const dataDir = makeDataDir(root, { runs: 2 });
    const dest = join(root, 'b');
    const a = backdate(dest, (await backup(dataDir, { dest })).snapshot.name, 1);
    const proven = JSON.parse(readFileSync(join(dest, a, META), 'utf8')).verifiedAt;
    const second = await backup(dataDir, { dest });
    expect(second.summary.copied).toBe(0);
    expect(second.summary.linked).toBe(second.summary.files);
    expect(JSON.parse(readFileSync(join(second.snapshot.path, META), 'utf8')).verifiedAt).toBe(proven);
    // Each linked entry records the copy's identity, so the snapshot after it can trust it too.
    expect(readIndex(second.snapshot.path).filter((e) => e.t === 'f' && e.cino === undefined)).toEqual([]);
  });

  it('rot that leaves the copy\'s stat alone is linked; backups verify finds it in every snapshot that shares it, and the next backup copies afresh', async () => {
    const root = tempDir();
    const dataDir = makeDataDir(root, { runs: 1 });
    const dest = join(root, 'b');
    const rel = `runs/${runId(0)}/config.json`;
    const a = backdate(dest, (await backup(dataDir, { dest })).snapshot.name, 1);
    flipBit(join(dest, a, rel), 2, 1); // the medium flips a bit: mtime restored, nothing moves
    const b = backdate(dest, (await backup(dataDir, { dest })).snapshot.name, 2);
    expect(statSync(join(dest, b, rel)).ino).toBe(statSync(join(dest, a, rel)).ino);

    const v = await verifyBackups(dest);
    expect(v.exitCode).toBe(4);
    expect(v.snapshots.map((s) => [s.name, s.findings.map((f) => [f.code, f.path])])).toEqual([
      [a, [['backup/modified', `${a}/${rel}`]]],
      [b, [['backup/modified', `${b}/${rel}`]]],
    ]);
    // Both are marked damaged: nothing is linked from them again; the source is still good.
    const healed = await backup(dataDir, { dest });
    expect(healed.linkedFrom).toBe(null);
    expect(healed.summary.linked).toBe(0);
    expect(sha256Of(join(healed.snapshot.path, rel))).toBe(sha256Of(join(dataDir, rel)));
    expect((await verifyBackups(dest, healed.snapshot.name)).exitCode).toBe(0);
  });

  it('a copy from an index written before copies were recorded is re-hashed before it is linked (rot is caught then)', async () => {
    const root = tempDir();
    const dataDir = makeDataDir(root, { runs: 1 });
    const dest = join(root, 'b');
    const rel = `runs/${runId(0)}/config.json`;
    const a = backdate(dest, (await backup(dataDir, { dest })).snapshot.name, 1);
    writeIndex(join(dest, a), readIndex(join(dest, a)).map(({ cino: _c, cmtimeMs: _m, ...rest }: Entry & { cmtimeMs?: number }) => rest));
    flipBit(join(dest, a, rel), 2, 1);
    const next = await backup(dataDir, { dest });
    expect(next.findings.map((f) => [f.code, f.path])).toEqual([['backup/previous-damaged', rel]]);
    expect(next.summary.copied).toBe(1);
    expect((await verifyBackups(dest, next.snapshot.name)).exitCode).toBe(0);
  });
});

describe('backup: large files on the copy thread', () => {
  it.each(['0', '1'])('TRACKIO_FSCK_BACKUP_THREAD=%s: every copy verified, the snapshot verifies and matches the data', async (thread) => {
    const root = tempDir();
    const dataDir = makeDataDir(root, { runs: 12 });
    const large = [writeLargeArtifact(dataDir, runId(0), 2), writeLargeArtifact(dataDir, runId(5), 1), writeLargeArtifact(dataDir, runId(11), 3)];
    const dest = join(root, 'b');
    const was = process.env.TRACKIO_FSCK_BACKUP_THREAD;
    process.env.TRACKIO_FSCK_BACKUP_THREAD = thread;
    try {
      const r = await backup(dataDir, { dest });
      expect(r.exitCode).toBe(0);
      expect(r.summary.copied).toBe(r.summary.files);
      for (const rel of [`runs/${runId(0)}/metrics.jsonl`, `runs/${runId(11)}/config.json`, ...large]) expect(manifestHash(r.snapshot.path, rel)).toBe(sha256Of(join(dataDir, rel)));
      const index = readIndex(r.snapshot.path);
      // The copy thread's copies are recorded like the others: inode of the copy, for the next backup's trust rule.
      for (const rel of large) expect(index.find((e) => e.p === rel)?.cino).toBe(statSync(join(r.snapshot.path, rel)).ino);
    } finally {
      if (was === undefined) delete process.env.TRACKIO_FSCK_BACKUP_THREAD;
      else process.env.TRACKIO_FSCK_BACKUP_THREAD = was;
    }
    expect((await verifyBackups(dest)).exitCode).toBe(0);
  });
});
