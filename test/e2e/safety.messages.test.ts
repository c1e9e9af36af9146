// Issue 11, "Messages": a file system that refuses (ENOSPC, EROFS, EACCES, ENOTDIR) gives one line
// naming the file and the data's state, exit 8, and leaves data the next run resumes or undoes.
import { spawnSync } from 'node:child_process';
import { chmodSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { damage, makeDataDir, metricsLines, runId } from '../../fixtures/build/dataDir.mjs';
import { runCli, tempDir } from '../helpers/cli.js';
import { runUntilPoint } from '../helpers/pausedRun.js';
import { snapshot } from '../helpers/repairTree.js';
import { canMount, fill, smallDisk } from '../helpers/smallDisk.js';

/** A data dir on `root` whose metrics file (about `kib` KiB) needs a rewrite. */
function damagedOn(root: string, steps: number): string {
  const dataDir = makeDataDir(root, { runs: 1, steps });
  damage.invalidLineInMiddle(dataDir, runId(0), 3);
  return dataDir;
}

function expectOneLine(stderr: string, pattern: RegExp): void {
  const lines = stderr.trim().split('\n');
  expect(lines, stderr).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
}

const users = (d: string) => snapshot(d, (p) => p.startsWith('.trackio-fsck') || p.startsWith('quarantine') || p === 'filler');

describe.skipIf(!canMount)('a disk that fills up or refuses', () => {
  it('ENOSPC mid-repair: one line naming the temp file and "the pre-repair backup is complete", exit 8; repair -y resumes once space is back, undo reverts', async () => {
    const disk = smallDisk('4m')!;
    const dataDir = damagedOn(disk, 3000);
    const before = users(dataDir);
    const backups = join(tempDir(), 'bk');
    // Stopped right after the backup is complete, the disk fills up, then the rewrite runs.
    const run = await runUntilPoint(['repair', '-y', '--backup-dir', backups, dataDir], 'journal-saved:2');
    expect(run.stopped).toBe(true);
    const filler = fill(disk);
    const r = await run.resume();
    expect(r.code, r.stdout + r.stderr).toBe(8);
    expectOneLine(r.stderr, /^trackio-fsck: no space left on the device \(ENOSPC: .*\.trackio-fsck-tmp-metrics\.jsonl-[^)]*\): the pre-repair backup is complete; `trackio-fsck repair -y` resumes, `trackio-fsck undo` reverts$/);
    expect(users(dataDir)).toEqual(before);
    rmSync(filler);
    const resumed = runCli(['repair', '-y', dataDir]);
    expect(resumed.code, resumed.stdout + resumed.stderr).toBe(1);
    expect(runCli(['undo', dataDir]).code).toBe(0);
    expect(users(dataDir)).toEqual(before);
  });

  it('the free-space check counts the rewrite temp files: a data dir without room for them is refused before anything changes', () => {
    const disk = smallDisk('2m')!;
    // About 1.2 MB of metrics: the backup goes elsewhere, but the rewrite needs another 1.2 MB here.
    const dataDir = damagedOn(disk, 16000);
    const theirs = (d: string) => snapshot(d, (p) => p.startsWith('.trackio-fsck'));
    const before = theirs(dataDir);
    const r = runCli(['repair', '-y', '--backup-dir', join(tempDir(), 'bk'), dataDir]);
    expect(r.code, r.stdout + r.stderr).toBe(8);
    expectOneLine(r.stderr, /not enough free space in .*temp files.*Nothing was changed/);
    expect(theirs(dataDir)).toEqual(before);
  });

  it('EROFS: a read-only data dir gives one line and "nothing was changed", exit 8', () => {
    const disk = smallDisk('4m')!;
    const dataDir = damagedOn(disk, 50);
    expect(spawnSync('mount', ['-o', 'remount,ro', disk]).status).toBe(0);
    const r = runCli(['repair', '-y', dataDir]);
    expect(r.code).toBe(8);
    expectOneLine(r.stderr, /^trackio-fsck: read-only file system \(EROFS: \w+ .*\): nothing was changed$/);
  });
});

describe('permissions and paths that refuse', () => {
  it.skipIf(process.getuid?.() !== 0)('EACCES: a data dir the user cannot write gives one line naming the file and "nothing was changed", exit 8', () => {
    const root = tempDir();
    chmodSync(root, 0o755);
    const dataDir = damagedOn(root, 50);
    const before = snapshot(dataDir);
    const r = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, join(import.meta.dirname, '..', '..', 'bin', 'trackio-fsck.js'), 'repair', '-y', dataDir], { encoding: 'utf8', env: { ...process.env, TRACKIO_DIR: '', NO_COLOR: '1' } });
    expect(r.status, r.stderr).toBe(8);
    expectOneLine(r.stderr, /^trackio-fsck: permission denied \(EACCES: \w+ .*\.trackio-fsck.*\): nothing was changed$/);
    expect(snapshot(dataDir)).toEqual(before);
  });

  it('ENOTDIR: a --backup-dir below a regular file gives one line and "nothing was changed", exit 8', () => {
    const dataDir = damagedOn(tempDir(), 50);
    const file = join(tempDir(), 'a-file');
    writeFileSync(file, metricsLines(1));
    const before = snapshot(dataDir, (p) => p.startsWith('.trackio-fsck'));
    const r = runCli(['repair', '-y', '--backup-dir', join(file, 'sub'), dataDir]);
    expect(r.code).toBe(8);
    expectOneLine(r.stderr, /^trackio-fsck: a path component is not a directory \(ENOTDIR: mkdir .*a-file.*\): nothing was changed$/);
    expect(snapshot(dataDir, (p) => p.startsWith('.trackio-fsck'))).toEqual(before);
  });
});
