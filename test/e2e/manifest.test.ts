import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { damage, makeDataDir, metricsLines, runId, writeOddNames, writeRun } from '../../fixtures/build/dataDir.mjs';
import { check, readManifest, recordManifest, verifyManifest } from '../../src/index.js';
import { unchangedFiles, writeManifest } from '../helpers/internals.js';
import { tempDir } from '../helpers/cli.js';

const RUN = runId(0);
const OTHER = runId(1);

async function recorded(runs = 2) {
  const dataDir = makeDataDir(tempDir(), { runs, steps: 6 });
  const { report } = await recordManifest(dataDir);
  expect(report.exitCode).toBe(0);
  return dataDir;
}

function codesOf(findings: Array<{ code: string; path: string }>, prefix = 'manifest/') {
  return findings.filter((f) => f.code.startsWith(prefix)).map((f) => `${f.code} ${f.path}`);
}

function sha256sumCheck(dir: string) {
  return spawnSync('sha256sum', ['--strict', '-c', 'manifest-sha256.txt'], { cwd: dir, encoding: 'utf8' });
}

describe('manifest write: a file coreutils can check', () => {
  it('sha256sum --strict -c verifies it, odd names included, and writes the very same lines', async () => {
    const dataDir = makeDataDir(tempDir(), { runs: 2 });
    const odd = writeOddNames(dataDir, RUN);
    const { report, manifest } = await recordManifest(dataDir);
    expect(report.exitCode).toBe(0);
    expect(manifest.files).toBe(10 + odd.length);

    const r = sha256sumCheck(dataDir);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout.split('\n').filter((l) => l.endsWith(': OK'))).toHaveLength(manifest.files);

    // coreutils itself, asked about the same paths, writes byte-identical lines (escaping included).
    const ours = readFileSync(join(dataDir, 'manifest-sha256.txt'), 'utf8');
    const paths = [...(await readManifest(dataDir))!.entries.keys()];
    expect(paths).toEqual(expect.arrayContaining(odd));
    const theirs = spawnSync('sha256sum', ['--', ...paths], { cwd: dataDir, encoding: 'utf8' });
    expect(theirs.status).toBe(0);
    expect(ours).toBe(theirs.stdout);
    expect(ours).toMatch(/^\\[0-9a-f]{64} {2}runs\/.*\/artifacts\/new\\nline\.bin$/m);
  });

  it('sha256sum -c fails on the same damage manifest verify reports', async () => {
    const dataDir = await recorded();
    damage.silentEdit(dataDir, RUN, 'config.json');
    expect(sha256sumCheck(dataDir).status).toBe(1);
    const { report } = await verifyManifest(dataDir);
    expect(codesOf(report.findings)).toEqual([`manifest/modified runs/${RUN}/config.json`]);
  });
});

describe('manifest verify: appends are not damage', () => {
  it('a clean data dir verifies with no findings and exit 0', async () => {
    const dataDir = await recorded();
    const { report, files } = await verifyManifest(dataDir);
    expect(report.command).toBe('manifest verify');
    expect(report.findings).toEqual([]);
    expect(report.exitCode).toBe(0);
    expect(report.summary).toMatchObject({ runs: 2, files: 10 });
    expect(files.every((f) => f.status === 'ok')).toBe(true);
  });

  it('metrics.jsonl that only grew: manifest/appended (info), exit 0', async () => {
    const dataDir = await recorded();
    const grown = damage.appendRecords(dataDir, RUN);
    const { report } = await verifyManifest(dataDir);
    expect(report.findings.map((f) => [f.code, f.severity, f.path])).toEqual([['manifest/appended', 'info', grown.path]]);
    expect(report.exitCode).toBe(0);
  });

  it('recorded bytes changed, then appended: manifest/modified (error), exit 4', async () => {
    const dataDir = await recorded();
    const hit = damage.rewriteRecordedBytes(dataDir, RUN);
    const { report } = await verifyManifest(dataDir);
    expect(report.findings.map((f) => [f.code, f.severity, f.path])).toEqual([['manifest/modified', 'error', hit.path]]);
    expect(report.findings[0]!.message).toMatch(/grew from \d+ to \d+ bytes, but its first \d+ bytes changed/);
    expect(report.exitCode).toBe(4);
  });

  it('metrics.jsonl cut shorter than recorded: manifest/modified', async () => {
    const dataDir = await recorded();
    damage.truncateMidLine(dataDir, RUN);
    const { report } = await verifyManifest(dataDir);
    expect(codesOf(report.findings)).toEqual([`manifest/modified runs/${RUN}/metrics.jsonl`]);
    expect(report.findings[0]!.message).toMatch(/shrank from/);
  });

  it('a grown file that is not append-only is modified, not appended', async () => {
    const dataDir = await recorded();
    writeFileSync(join(dataDir, 'runs', RUN, 'logs', 'train.log'), 'more\n', { flag: 'a' });
    const { report } = await verifyManifest(dataDir);
    expect(codesOf(report.findings)).toEqual([`manifest/modified runs/${RUN}/logs/train.log`]);
  });

  it('a deleted file is manifest/missing (error), an added one manifest/new (info)', async () => {
    const dataDir = await recorded();
    const gone = damage.deleteFile(dataDir, RUN);
    const added = damage.addFile(dataDir, OTHER);
    const { report } = await verifyManifest(dataDir);
    expect(report.findings.map((f) => [f.code, f.severity, f.path])).toEqual([
      ['manifest/missing', 'error', gone.path],
      ['manifest/new', 'info', added.path],
    ]);
    expect(report.exitCode).toBe(4);
  });
});

describe('manifest verify: paths that leave the data dir are never opened', () => {
  // A FIFO blocks whoever opens it: if verify opened one of these, it would hang instead of finishing.
  function fifo(path: string) {
    expect(spawnSync('mkfifo', [path]).status).toBe(0);
  }

  it('absolute paths, .. and links out are reported and not read', async () => {
    const root = tempDir();
    const dataDir = makeDataDir(root, { runs: 1 });
    await recordManifest(dataDir);
    const outside = join(root, 'outside.fifo');
    fifo(outside);
    damage.symlinkEscape(dataDir, RUN, outside, 'artifacts/escape');
    const zero = '0'.repeat(64);
    const lines = [`${zero}  ${outside}`, `${zero}  ../outside.fifo`, `${zero}  runs/${RUN}/../../../outside.fifo`, `${zero}  runs/${RUN}/artifacts/escape`];
    writeFileSync(join(dataDir, 'manifest-sha256.txt'), readFileSync(join(dataDir, 'manifest-sha256.txt'), 'utf8') + lines.join('\n') + '\n');

    const { report, files } = await verifyManifest(dataDir);
    const unsafe = report.findings.find((f) => f.code === 'manifest/unsafe-path')!;
    expect(unsafe).toMatchObject({ severity: 'error', path: 'manifest-sha256.txt', line: 6, more: 2 });
    expect(unsafe.message).toContain(outside);
    expect(report.findings.find((f) => f.code === 'fs/symlink-escape')).toMatchObject({ path: `runs/${RUN}/artifacts/escape`, severity: 'error' });
    expect(files.find((f) => f.path === `runs/${RUN}/artifacts/escape`)!.status).toBe('unsafe');
    expect(files.map((f) => f.path)).not.toContain('../outside.fifo');
    expect(report.exitCode).toBe(4);
  });

  it('a malformed line is a finding with its line number; a file of no sha256sum lines is exit 8', async () => {
    const dataDir = await recorded(1);
    const path = join(dataDir, 'manifest-sha256.txt');
    writeFileSync(path, readFileSync(path, 'utf8') + 'this is not a checksum line\n');
    const { report } = await verifyManifest(dataDir);
    expect(report.findings.filter((f) => f.code === 'manifest/malformed-line')).toMatchObject([{ line: 6, severity: 'error' }]);

    writeFileSync(path, 'garbage\nmore garbage\n');
    await expect(verifyManifest(dataDir)).rejects.toMatchObject({ name: 'FsckError', exitCode: 8, message: expect.stringMatching(/not a sha256sum manifest/) });
  });
});

describe('manifest writes are atomic', () => {
  it('a temp file left by a crash mid-write is ignored and the old manifest still verifies', async () => {
    const dataDir = await recorded();
    const before = readFileSync(join(dataDir, 'manifest-sha256.txt'), 'utf8');
    // What writeFileAtomic leaves when the process dies before its rename.
    writeFileSync(join(dataDir, `.trackio-fsck-tmp-manifest-sha256.txt-999-dead`), before.slice(0, 100));
    writeFileSync(join(dataDir, '.trackio-fsck', `.trackio-fsck-tmp-manifest.json-999-dead`), '{"format": "trackio-fs');
    const { report } = await verifyManifest(dataDir);
    expect(report.findings).toEqual([]);
    expect(sha256sumCheck(dataDir).status).toBe(0);
    expect((await check(dataDir)).report.findings).toEqual([]);
  });

  it('a crash between the two renames (new record, old manifest) is detected and never called clean', async () => {
    const dataDir = await recorded();
    const oldText = readFileSync(join(dataDir, 'manifest-sha256.txt'));
    damage.appendRecords(dataDir, RUN);
    damage.addFile(dataDir, RUN, 'artifacts/extra.bin');
    await recordManifest(dataDir);
    writeFileSync(join(dataDir, 'manifest-sha256.txt'), oldText); // the record's rename happened, the manifest's did not

    const { report } = await verifyManifest(dataDir);
    expect(report.findings.find((f) => f.code === 'manifest/record-mismatch')).toMatchObject({ severity: 'warning' });
    // The old manifest is the authority: the grown file cannot be vouched for as an append any more.
    expect(codesOf(report.findings).filter((c) => !c.startsWith('manifest/record-mismatch'))).toEqual([
      `manifest/new runs/${RUN}/artifacts/extra.bin`,
      `manifest/modified runs/${RUN}/metrics.jsonl`,
    ]);
    expect(sha256sumCheck(dataDir).status).toBe(1);
  });

  it('without the record, verify still works from manifest-sha256.txt alone and says what it cannot tell', async () => {
    const dataDir = await recorded();
    rmSync(join(dataDir, '.trackio-fsck'), { recursive: true });
    const { report } = await verifyManifest(dataDir);
    expect(report.findings.map((f) => f.code)).toEqual(['manifest/record-mismatch']);
    expect(report.exitCode).toBe(0);
  });
});

describe('check and the manifest', () => {
  it('check verifies against the manifest in the same pass', async () => {
    const dataDir = await recorded();
    damage.appendRecords(dataDir, RUN);
    damage.silentEdit(dataDir, OTHER, 'config.json');
    damage.deleteFile(dataDir, OTHER);
    const { report } = await check(dataDir);
    expect(codesOf(report.findings)).toEqual([
      `manifest/appended runs/${RUN}/metrics.jsonl`,
      `manifest/modified runs/${OTHER}/config.json`,
      `manifest/missing runs/${OTHER}/logs/train.log`,
    ]);
    expect(report.findings.find((f) => f.code === 'manifest/modified')!.message).toMatch(/size, mtime and inode did not change/);
  });

  it('--fast trusts size, mtime and inode: a disguised edit goes unseen, plain check sees it (the trade-off)', async () => {
    const dataDir = await recorded();
    damage.silentEdit(dataDir, RUN, 'artifacts/model.bin');
    const fast = await check(dataDir, { fast: true });
    expect(fast.report.findings).toEqual([]);
    expect(fast.files.filter((f) => f.trusted)).toHaveLength(10);
    const full = await check(dataDir);
    expect(codesOf(full.report.findings)).toEqual([`manifest/modified runs/${RUN}/artifacts/model.bin`]);
    expect(full.report.exitCode).toBe(4);
  });

  it('--fast reads what changed, and only that', async () => {
    const dataDir = await recorded();
    const cut = damage.truncateMidLine(dataDir, RUN); // size changes, mtime kept
    const added = damage.addFile(dataDir, OTHER);
    const events: string[] = [];
    const { report, files } = await check(dataDir, { fast: true }, (e) => {
      if (e.type === 'file') events.push(e.path);
    });
    expect(events.sort()).toEqual([added.path, cut.path].sort());
    expect(files.filter((f) => !f.trusted).map((f) => f.path).sort()).toEqual([added.path, cut.path].sort());
    expect(report.findings.filter((f) => f.severity !== 'info').map((f) => f.code).sort()).toEqual(['jsonl/truncated-tail', 'manifest/modified']);
  });

  it('--fast replays the findings recorded for files it does not read', async () => {
    const dataDir = makeDataDir(tempDir(), { runs: 1, steps: 6 });
    damage.bareNaN(dataDir, RUN, 2);
    await recordManifest(dataDir);
    const fast = await check(dataDir, { fast: true });
    expect(fast.files.every((f) => f.trusted)).toBe(true);
    expect(fast.report.findings.map((f) => f.code)).toEqual(['jsonl/nonfinite-number']);
  });

  it('--fast never trusts a live run', async () => {
    const dataDir = makeDataDir(tempDir(), { runs: 1 });
    writeRun(dataDir, OTHER, { finished: false, old: false });
    await recordManifest(dataDir);
    const { files } = await check(dataDir, { fast: true });
    expect(files.filter((f) => !f.trusted).every((f) => f.run === OTHER)).toBe(true);
    expect(files.filter((f) => f.run === OTHER && f.trusted)).toEqual([]);
  });

  it('unchangedFiles splits files by stat without opening any', async () => {
    const dataDir = await recorded();
    damage.appendRecords(dataDir, RUN);
    damage.deleteFile(dataDir, OTHER);
    damage.addFile(dataDir, OTHER);
    const split = await unchangedFiles(dataDir, (await readManifest(dataDir))!);
    expect(split.changed).toEqual([`runs/${RUN}/metrics.jsonl`]);
    expect(split.added).toEqual([`runs/${OTHER}/artifacts/plot.png`]);
    expect(split.gone).toEqual([`runs/${OTHER}/logs/train.log`]);
    expect(split.unchanged).toHaveLength(8);
  });
});

describe('manifest verify on copies', () => {
  it('a copied data dir (new inodes and mtimes) verifies by hash, appends included', async () => {
    const dataDir = await recorded();
    const copy = join(tempDir(), 'copy');
    cpSync(dataDir, copy, { recursive: true });
    expect(statSync(join(copy, 'runs', RUN, 'config.json')).ino).not.toBe(statSync(join(dataDir, 'runs', RUN, 'config.json')).ino);
    expect((await verifyManifest(copy)).report.findings).toEqual([]);
    damage.appendRecords(copy, RUN);
    damage.silentEdit(copy, OTHER);
    expect(codesOf((await verifyManifest(copy)).report.findings)).toEqual([`manifest/appended runs/${RUN}/metrics.jsonl`, `manifest/modified runs/${OTHER}/artifacts/model.bin`]);
    expect(sha256sumCheck(copy).status).toBe(1);
  });

  it('a moved data dir verifies; --fast on a copy reads every file', async () => {
    const dataDir = await recorded();
    const moved = join(tempDir(), 'moved');
    renameSync(dataDir, moved);
    expect((await verifyManifest(moved)).report.exitCode).toBe(0);
    const copy = join(tempDir(), 'copy');
    cpSync(moved, copy, { recursive: true, preserveTimestamps: true });
    const { files } = await check(copy, { fast: true });
    expect(files.filter((f) => f.trusted)).toEqual([]);
  });
});

describe('manifest write: updating', () => {
  it('--run updates only that run and keeps the other entries as they were', async () => {
    const dataDir = await recorded();
    damage.appendRecords(dataDir, RUN);
    damage.appendRecords(dataDir, OTHER);
    const { manifest } = await recordManifest(dataDir, { runs: [RUN] });
    expect(manifest).toMatchObject({ files: 10, added: 0, updated: 1, removed: 0 });
    const { report } = await verifyManifest(dataDir);
    expect(codesOf(report.findings)).toEqual([`manifest/appended runs/${OTHER}/metrics.jsonl`]);
  });

  it('drops files that are gone, adds new ones, and --fast reuses unchanged records', async () => {
    const dataDir = await recorded();
    damage.deleteFile(dataDir, RUN);
    damage.addFile(dataDir, OTHER);
    const { manifest, report } = await recordManifest(dataDir, { fast: true });
    expect(report.exitCode).toBe(0);
    expect(manifest).toMatchObject({ files: 10, added: 1, updated: 0, removed: 1, unchanged: 9 });
    expect((await verifyManifest(dataDir)).report.findings).toEqual([]);
  });

  it('never records bytes that changed behind an unchanged size, mtime and inode', async () => {
    const dataDir = await recorded();
    const before = readFileSync(join(dataDir, 'manifest-sha256.txt'), 'utf8');
    damage.silentEdit(dataDir, RUN);
    const { report } = await recordManifest(dataDir);
    expect(codesOf(report.findings)).toEqual([`manifest/modified runs/${RUN}/artifacts/model.bin`]);
    expect(report.exitCode).toBe(4);
    expect(readFileSync(join(dataDir, 'manifest-sha256.txt'), 'utf8')).toBe(before);
    expect(sha256sumCheck(dataDir).status).toBe(1);
  });

  it('writeManifest refuses paths outside the directory', async () => {
    const dir = tempDir();
    await expect(writeManifest(dir, [{ path: '../x', sha256: '0'.repeat(64) }])).rejects.toThrow(/not a path inside/);
    expect(existsSync(join(dir, 'manifest-sha256.txt'))).toBe(false);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('a data dir that keeps growing: write, append, write again, verify clean', async () => {
    const dataDir = await recorded(1);
    writeFileSync(join(dataDir, 'runs', RUN, 'metrics.jsonl'), metricsLines(3, 100), { flag: 'a' });
    const { manifest } = await recordManifest(dataDir);
    expect(manifest.updated).toBe(1);
    expect((await verifyManifest(dataDir)).report.findings).toEqual([]);
  });
});
