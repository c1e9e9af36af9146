import { spawnSync } from 'node:child_process';
import { lstatSync, mkdirSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeDataDir, OLD_TIME, runId } from '../../fixtures/build/dataDir.mjs';
import { runCli, tempDir } from '../helpers/cli.js';

// Issue 11 case 10: a file whose name is not valid UTF-8 was reported as fs/unreadable (ENOENT) and
// left out of the manifest and the backup. Names are bytes: check, manifest write (in sha256sum's
// own format, checked with the real `sha256sum -c`), manifest verify, backup, backups verify and
// restore keep every one of them exact.

const NAMES: Buffer[] = [
  Buffer.from([0x61, 0xff, 0x62]), // a, a byte that never occurs in UTF-8, b
  Buffer.from([0xc3, 0x28, 0x2e, 0x74, 0x78, 0x74]), // a lead byte whose continuation is missing
  Buffer.from([0xed, 0xa0, 0x80]), // an encoded surrogate (CESU), invalid in UTF-8
  Buffer.concat([Buffer.from('caf'), Buffer.from([0xe9]), Buffer.from('.csv')]), // Latin-1 é
  Buffer.from('r\u00e9sum\u00e9 \u{1f600}.txt'), // valid UTF-8, astral plane included
  Buffer.from('real \ufffd replacement char'), // a valid U+FFFD must stay U+FFFD
  Buffer.concat([Buffer.from('back\\slash '), Buffer.from([0xfe])]), // escaped by sha256sum, and not UTF-8
];

const bytesPath = (dir: string, name: Buffer) => Buffer.concat([Buffer.from(dir + '/'), name]);

/** Every name under `dir`, as hex of its bytes, with the file's content: what must survive exactly. */
function tree(dir: string): string[] {
  const out: string[] = [];
  const walk = (abs: Buffer, rel: string) => {
    for (const name of readdirSync(abs, { encoding: 'buffer' })) {
      const p = Buffer.concat([abs, Buffer.from('/'), name]);
      const r = `${rel}/${name.toString('hex')}`;
      const st = lstatSync(p);
      if (st.isDirectory()) walk(p, r);
      else out.push(`${r} ${readFileSync(p).toString('hex')}`);
    }
  };
  walk(Buffer.from(dir), '');
  return out.sort();
}

const sha256sumAvailable = spawnSync('sha256sum', ['--version']).status === 0;

describe('case 10: names are bytes, kept exact through every command', () => {
  it('non-UTF-8 names (files and a folder) round-trip check, manifest, sha256sum -c, backup, verify and restore', () => {
    const root = tempDir();
    const dataDir = makeDataDir(root, { runs: 1 });
    const art = join(dataDir, 'runs', runId(0), 'artifacts');
    NAMES.forEach((name, i) => writeFileSync(bytesPath(art, name), `content ${i}\n`));
    const folder = bytesPath(art, Buffer.from([0x64, 0x69, 0x72, 0x80]));
    mkdirSync(folder);
    writeFileSync(Buffer.concat([folder, Buffer.from('/inside.bin')]), 'deep\n');
    for (const p of [folder, art, join(dataDir, 'runs', runId(0))]) utimesSync(p, OLD_TIME, OLD_TIME);

    const check = runCli(['check', '--json', dataDir]);
    expect(check.code, check.stdout).toBe(0);
    expect(JSON.parse(check.stdout).summary.files).toBe(5 + NAMES.length + 1);

    const written = runCli(['manifest', 'write', dataDir]);
    expect(written.code, written.stdout + written.stderr).toBe(0);
    const manifest = readFileSync(join(dataDir, 'manifest-sha256.txt'));
    // sha256sum's own format: the bytes of the name as they are (coreutils 9), \\ escaped.
    expect(manifest.includes(Buffer.concat([Buffer.from('artifacts/a'), Buffer.from([0xff]), Buffer.from('b\n')]))).toBe(true);
    expect(manifest.includes(Buffer.concat([Buffer.from('back\\\\slash '), Buffer.from([0xfe, 0x0a])]))).toBe(true);
    if (sha256sumAvailable) expect(spawnSync('sha256sum', ['--strict', '-c', '--quiet', 'manifest-sha256.txt'], { cwd: dataDir, encoding: 'utf8' }), 'sha256sum data dir').toMatchObject({ status: 0 });
    const verify = runCli(['manifest', 'verify', '--json', dataDir]);
    expect(verify.code, verify.stdout).toBe(0);
    expect(JSON.parse(verify.stdout).findings.filter((f: { severity: string }) => f.severity !== 'info')).toEqual([]);

    const dest = join(root, 'backups');
    const made = runCli(['backup', '--json', '--dest', dest, dataDir]);
    expect(made.code, made.stdout).toBe(0);
    const snap = JSON.parse(made.stdout).snapshot as { name: string; path: string };
    expect(tree(join(snap.path, 'runs'))).toEqual(tree(join(dataDir, 'runs')));
    if (sha256sumAvailable) expect(spawnSync('sha256sum', ['--strict', '-c', '--quiet', 'manifest-sha256.txt'], { cwd: snap.path, encoding: 'utf8' }), 'sha256sum snapshot').toMatchObject({ status: 0 });
    expect(runCli(['backups', 'verify', '--dest', dest]).code).toBe(0);

    const target = join(root, 'restored');
    const restored = runCli(['restore', '--yes', '--dest', dest, snap.name, target]);
    expect(restored.stderr).toBe('');
    expect(restored.code).toBe(0);
    expect(tree(target)).toEqual(tree(dataDir));
  });
});
