import { spawnSync } from 'node:child_process';
import { appendFileSync, chmodSync, chownSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeDataDir, runId } from '../../fixtures/build/dataDir.mjs';
import { makeTrackioDir } from '../../fixtures/build/trackioDb.mjs';
import { BIN, runCli, tempDir } from '../helpers/cli.js';
import { noStack } from '../helpers/safety.js';

// Issue 11 cases 5, 11, 15 and 16: a snapshot or a manifest that no longer tells the whole story
// must never pass as "all good".

function snapshotOf(root: string, dataDir: string): { dest: string; name: string; path: string } {
  const dest = join(root, 'backups');
  const r = runCli(['backup', '--json', '--dest', dest, dataDir]);
  expect(r.code, r.stderr).toBe(0);
  const s = JSON.parse(r.stdout).snapshot as { name: string; path: string };
  return { dest, ...s };
}

const codesOf = (stdout: string) => (JSON.parse(stdout).snapshots[0].findings as Array<{ code: string }>).map((f) => f.code);

describe('case 5: a snapshot whose manifest, index and metadata disagree is damaged', () => {
  const TAMPER: Array<[string, (snap: string) => void]> = [
    ['manifest emptied', (s) => writeFileSync(join(s, 'manifest-sha256.txt'), '')],
    ['manifest shortened by one line', (s) => writeFileSync(join(s, 'manifest-sha256.txt'), readFileSync(join(s, 'manifest-sha256.txt'), 'utf8').split('\n').slice(1).join('\n'))],
    ['manifest and index both emptied (metadata still counts the files)', (s) => {
      writeFileSync(join(s, 'manifest-sha256.txt'), '');
      writeFileSync(join(s, '.trackio-fsck-snapshot-index.jsonl'), '');
    }],
    ['manifest emptied and metadata removed (the index still records the files)', (s) => {
      writeFileSync(join(s, 'manifest-sha256.txt'), '');
      rmSync(join(s, '.trackio-fsck-snapshot.json'));
    }],
    ['metadata bytes edited', (s) => {
      const meta = JSON.parse(readFileSync(join(s, '.trackio-fsck-snapshot.json'), 'utf8'));
      writeFileSync(join(s, '.trackio-fsck-snapshot.json'), JSON.stringify({ ...meta, bytes: meta.bytes + 1 }));
    }],
  ];
  for (const [what, tamper] of TAMPER) {
    it(`${what}: backups verify exit 4, restore refuses, nothing restored`, () => {
      const root = tempDir();
      const dataDir = makeDataDir(root, { runs: 2 });
      const snap = snapshotOf(root, dataDir);
      tamper(snap.path);
      const verify = runCli(['backups', 'verify', '--json', '--dest', snap.dest]);
      expect(verify.code).toBe(4);
      expect(codesOf(verify.stdout)).toContain('backup/manifest-invalid');
      const target = join(root, 'restored');
      const restore = runCli(['restore', '--yes', '--dest', snap.dest, snap.name, target]);
      expect(restore.code).toBe(4);
      expect(restore.stdout).not.toMatch(/restored/);
      expect(existsSync(target)).toBe(false);
    });
  }

  it('in the data dir: an emptied manifest is exit 8 for check and manifest verify (it verifies nothing); manifest write replaces it', () => {
    const root = tempDir();
    const dataDir = makeDataDir(root, { runs: 1 });
    expect(runCli(['manifest', 'write', dataDir]).code).toBe(0);
    writeFileSync(join(dataDir, 'manifest-sha256.txt'), '');
    for (const args of [['check', dataDir], ['manifest', 'verify', dataDir]]) {
      const r = runCli(args);
      expect([args[0], r.code]).toEqual([args[0], 8]);
      expect(r.stderr).toMatch(/records nothing/);
      expect(noStack(r)).toBe(true);
    }
    expect(runCli(['manifest', 'write', dataDir]).code).toBe(0);
    expect(runCli(['check', dataDir]).code).toBe(0);
  });
});

describe('case 5, Trackio layout: an empty manifest-sha256.txt beside a database record is fine', () => {
  it('a data dir whose files are all in its databases: manifest write, check and verify agree it is clean; without the record it is exit 8', () => {
    const dataDir = makeTrackioDir(tempDir(), { projects: [['mnist', 'current']] });
    for (const d of ['media', 'artifacts', 'inbox']) rmSync(join(dataDir, d), { recursive: true, force: true });
    const write = runCli(['manifest', 'write', dataDir]);
    expect(write.code, write.stderr).toBe(0);
    expect(readFileSync(join(dataDir, 'manifest-sha256.txt'), 'utf8')).toBe('');
    expect(runCli(['check', dataDir]).code).toBe(0);
    expect(runCli(['manifest', 'verify', dataDir]).code).toBe(0);
    rmSync(join(dataDir, '.trackio-fsck', 'databases.json'));
    const bare = runCli(['manifest', 'verify', dataDir]);
    expect(bare.code).toBe(8);
    expect(bare.stderr).toMatch(/records nothing/);
  });
});

describe('case 15: a manifest with CRLF line ends', () => {
  it('is read as sha256sum -c reads it: no manifest/missing, verify and check clean', () => {
    const root = tempDir();
    const dataDir = makeDataDir(root, { runs: 2 });
    expect(runCli(['manifest', 'write', dataDir]).code).toBe(0);
    const path = join(dataDir, 'manifest-sha256.txt');
    writeFileSync(path, readFileSync(path, 'utf8').replace(/\n/g, '\r\n'));
    if (spawnSync('sha256sum', ['--version']).status === 0) expect(spawnSync('sha256sum', ['--strict', '-c', '--quiet', path], { cwd: dataDir }).status).toBe(0);
    for (const args of [['manifest', 'verify', '--json', dataDir], ['check', '--json', dataDir]]) {
      const r = runCli(args);
      const codes = JSON.parse(r.stdout).findings.map((f: { code: string }) => f.code);
      expect(codes).not.toContain('manifest/missing');
      expect(codes).not.toContain('manifest/malformed-line');
      expect(r.code).toBe(0);
    }
  });

  it('in a snapshot too: CRLF lines verify and restore', () => {
    const root = tempDir();
    const dataDir = makeDataDir(root, { runs: 1 });
    const snap = snapshotOf(root, dataDir);
    const path = join(snap.path, 'manifest-sha256.txt');
    writeFileSync(path, readFileSync(path, 'utf8').replace(/\n/g, '\r\n'));
    expect(runCli(['backups', 'verify', '--dest', snap.dest]).code).toBe(0);
    expect(runCli(['restore', '--yes', '--dest', snap.dest, snap.name, join(root, 'restored')]).code).toBe(0);
  });
});

describe('case 16: not-a-file run files, a --dest inside the data, a path listed twice', () => {
  for (const name of ['metrics.jsonl', 'config.json', 'summary.json']) {
    for (const kind of ['directory', 'fifo'] as const) {
      it(`${name} that is a ${kind}: fs/not-a-file, never "missing", never read`, () => {
        const root = tempDir();
        const dataDir = makeDataDir(root, { runs: 1 });
        const path = join(dataDir, 'runs', runId(0), name);
        rmSync(path);
        if (kind === 'directory') {
          mkdirSync(path);
          writeFileSync(join(path, 'inner.txt'), 'x');
        } else spawnSync('mkfifo', [path]);
        const r = spawnSync(process.execPath, [BIN, 'check', '--json', dataDir], { encoding: 'utf8', timeout: 20_000, env: { ...process.env, TRACKIO_DIR: '' } });
        expect(r.status).toBe(4);
        const found = JSON.parse(r.stdout).findings.filter((f: { path: string }) => f.path.startsWith(`runs/${runId(0)}/${name}`));
        expect(found.map((f: { code: string }) => f.code)).toEqual(['fs/not-a-file']);
      });
    }
  }

  for (const inside of ['runs', `runs/${runId(0)}`, `runs/${runId(0)}/artifacts/snapshots`, 'quarantine/b']) {
    it(`backup --dest ${inside} (inside the data) is refused, exit 16, and nothing is created there`, () => {
      const root = tempDir();
      const dataDir = makeDataDir(root, { runs: 1 });
      const before = readdirSync(join(dataDir, 'runs', runId(0))).sort();
      const r = runCli(['backup', '--dest', join(dataDir, inside), dataDir]);
      expect(r.code).toBe(16);
      expect(r.stderr).toMatch(/--dest .* lies inside/);
      expect(noStack(r)).toBe(true);
      expect(readdirSync(join(dataDir, 'runs', runId(0))).sort()).toEqual(before);
      expect(existsSync(join(dataDir, 'quarantine'))).toBe(false);
      expect(readdirSync(join(dataDir, 'runs'))).toEqual([runId(0)]);
    });
  }

  it('a snapshot manifest listing a path twice is damaged: verify exit 4, restore refuses without a raw EEXIST', () => {
    const root = tempDir();
    const dataDir = makeDataDir(root, { runs: 1 });
    const snap = snapshotOf(root, dataDir);
    const path = join(snap.path, 'manifest-sha256.txt');
    appendFileSync(path, readFileSync(path, 'utf8').split('\n')[0] + '\n');
    const verify = runCli(['backups', 'verify', '--json', '--dest', snap.dest]);
    expect(verify.code).toBe(4);
    expect(codesOf(verify.stdout)).toContain('backup/manifest-invalid');
    const restore = runCli(['restore', '--yes', '--dest', snap.dest, snap.name, join(root, 'restored')]);
    expect(restore.code).toBe(4);
    expect(restore.stderr).not.toMatch(/EEXIST/);
  });
});

const asNobody = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', 'true']).status === 0 && process.getuid?.() === 0;

describe('case 11: a backup that could not copy some files', () => {
  it.skipIf(!asNobody)('is marked partial (not verified, problems > 0, lacks listed); restore says what it lacks and exits 4', () => {
    const root = tempDir();
    chmodSync(root, 0o755);
    const dataDir = makeDataDir(root, { runs: 1 });
    const secret = join(dataDir, 'runs', runId(0), 'artifacts', 'model.bin');
    chmodSync(secret, 0o000);
    const dest = join(root, 'backups');
    mkdirSync(dest);
    chownSync(dest, 65534, 65534);
    const r = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, BIN, 'backup', '--json', '--dest', dest, dataDir], { encoding: 'utf8', env: { ...process.env, TRACKIO_DIR: '' }, timeout: 30_000 });
    expect(r.status, r.stderr).toBe(4);
    const result = JSON.parse(r.stdout);
    expect(result.lacks).toEqual({ count: 1, paths: [`runs/${runId(0)}/artifacts/model.bin`] });
    const meta = JSON.parse(readFileSync(join(result.snapshot.path, '.trackio-fsck-snapshot.json'), 'utf8'));
    expect(meta.state).toBe('partial');
    expect(meta.problems).toBeGreaterThan(0);
    expect(meta.lacks).toEqual([`runs/${runId(0)}/artifacts/model.bin`]);

    // Verified again, it stays partial: what it lacks is not in it.
    expect(runCli(['backups', 'verify', '--dest', dest]).code).toBe(0);
    expect(JSON.parse(readFileSync(join(result.snapshot.path, '.trackio-fsck-snapshot.json'), 'utf8')).state).toBe('partial');
    const list = runCli(['backups', 'list', '--dest', dest]);
    expect(list.stdout).toMatch(/partial/);

    const target = join(root, 'restored');
    const restore = runCli(['restore', '--yes', '--dest', dest, result.snapshot.name, target]);
    expect(restore.code).toBe(4);
    expect(restore.stdout).toMatch(/PARTIAL: .* lacks 1 path/);
    expect(restore.stdout).toContain(`runs/${runId(0)}/artifacts/model.bin`);
    expect(existsSync(join(target, 'runs', runId(0), 'config.json'))).toBe(true);
    expect(statSync(target).isDirectory()).toBe(true);
  });
});
