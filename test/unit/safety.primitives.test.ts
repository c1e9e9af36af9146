import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { NotRegularFileError, openRegularFile, readRegularFile } from '../../src/engine/fs/openRegularFile.js';
import { decodePathBytes, fsPath, pathBytes } from '../../src/engine/fs/pathBytes.js';
import { isSafeRelPath, safePath } from '../../src/engine/fs/safePath.js';
import { walkTree } from '../../src/engine/fs/walkTree.js';
import { formatSha256sumLine, manifestLines, parseSha256sumLine } from '../../src/engine/manifest/sha256sumLine.js';

const temps: string[] = [];
const temp = () => {
  const d = mkdtempSync(join(tmpdir(), 'safety-unit-'));
  temps.push(d);
  return d;
};
afterEach(() => {
  for (const d of temps.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A deterministic byte generator (xorshift), so a failure can be replayed. */
function bytes(seed: number, n: number): Buffer {
  let x = seed || 1;
  const out = Buffer.alloc(n);
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

describe('pathBytes: names are bytes, every byte string round-trips through a JS string', () => {
  it('2000 random byte strings (mostly invalid UTF-8) decode and encode back to the same bytes', () => {
    for (let seed = 1; seed <= 2000; seed++) {
      const b = bytes(seed, 1 + (seed % 40));
      expect(pathBytes(decodePathBytes(b)).equals(b), b.toString('hex')).toBe(true);
    }
  });

  it('valid UTF-8 decodes as itself (no escape), a real U+FFFD included; invalid bytes never alias a valid name', () => {
    for (const s of ['plain', 'résumé', '\u{1f600} astral', 'a \ufffd b']) {
      expect(decodePathBytes(Buffer.from(s))).toBe(s);
      expect(fsPath(s)).toBe(s);
    }
    const bad = decodePathBytes(Buffer.from([0x61, 0xff]));
    expect(bad).not.toBe(decodePathBytes(Buffer.from('a\ufffd')));
    expect(fsPath(bad)).toEqual(Buffer.from([0x61, 0xff]));
    // Overlong forms and encoded surrogates are not UTF-8: escaped byte by byte, kept exact.
    for (const b of [[0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xe0, 0x80, 0xaf]]) {
      const s = decodePathBytes(Buffer.from(b));
      expect(s.length).toBe(b.length);
      expect(pathBytes(s)).toEqual(Buffer.from(b));
    }
  });
});

describe('sha256sum lines: coreutils escaping, CRLF line ends', () => {
  it('a name with a backslash, newline or CR is escaped and parsed back; CRLF ends are line ends', () => {
    const sha = 'a'.repeat(64);
    for (const name of ['plain', 'back\\slash', 'new\nline', 'carriage\rreturn', 'all\\\n\r']) {
      const line = formatSha256sumLine(sha, name);
      expect(parseSha256sumLine(line.slice(0, -1))).toEqual({ sha256: sha, path: name });
      const crlf = Buffer.from(line.replace(/\n$/, '\r\n') + line.replace(/\n$/, '\r\n'));
      expect(manifestLines(crlf).map((l) => parseSha256sumLine(l)?.path)).toEqual([name, name]);
    }
  });
});

describe('safePath: one rule for a relative path read from a file', () => {
  it('refuses absolute, empty, dot, dot-dot and NUL paths; accepts plain ones; safePath refuses to write through a link', async () => {
    for (const bad of ['', '/etc/passwd', 'a/../b', '..', './a', 'a//b', 'a/', 'a/.', 'a\0b']) expect([bad, isSafeRelPath(bad)]).toEqual([bad, false]);
    for (const good of ['a', 'runs/x/metrics.jsonl', '.hidden/..x', 'a b/c']) expect([good, isSafeRelPath(good)]).toEqual([good, true]);
    const dir = temp();
    mkdirSync(join(dir, 'real'));
    symlinkSync('/tmp', join(dir, 'link'));
    await expect(safePath(dir, 'link/x')).rejects.toThrow(/symbolic link/);
    await expect(safePath(dir, '../x')).rejects.toThrow(/not a plain path/);
    expect(await safePath(dir, 'real/new')).toBe(join(dir, 'real', 'new'));
  });
});

describe('openRegularFile: only a regular file is read, nothing blocks', () => {
  it('a FIFO, a link to /dev/zero, a directory and a dangling link are refused at once; a file is read', async () => {
    const dir = temp();
    execFileSync('mkfifo', [join(dir, 'fifo')]);
    symlinkSync('/dev/zero', join(dir, 'zero'));
    mkdirSync(join(dir, 'dir'));
    symlinkSync(join(dir, 'nowhere'), join(dir, 'dangling'));
    writeFileSync(join(dir, 'file'), 'bytes');
    for (const name of ['fifo', 'zero', 'dir', 'dangling']) {
      await expect(openRegularFile(join(dir, name)), name).rejects.toBeInstanceOf(NotRegularFileError);
      await expect(readRegularFile(join(dir, name)), name).rejects.toBeInstanceOf(NotRegularFileError);
    }
    expect(await readRegularFile(join(dir, 'missing'))).toBeUndefined();
    expect((await readRegularFile(join(dir, 'file')))!.toString()).toBe('bytes');
  });
});

describe('walkTree: the one walker', () => {
  it('lists links as links (never followed, a loop cannot trap it), flags links out of the root, keeps non-UTF-8 names exact', () => {
    const dir = temp();
    const root = join(dir, 'root');
    mkdirSync(join(root, 'a', 'b'), { recursive: true });
    writeFileSync(join(root, 'a', 'b', 'f'), 'x');
    writeFileSync(Buffer.concat([Buffer.from(join(root, 'a') + '/'), Buffer.from([0x6e, 0xff])]), 'y');
    symlinkSync(join(root, 'a'), join(root, 'a', 'b', 'loop'));
    symlinkSync('/etc', join(root, 'out'));
    symlinkSync(join(root, 'a', 'b', 'f'), join(root, 'in'));
    execFileSync('mkfifo', [join(root, 'pipe')]);
    const got = walkTree(root).map((e) => [e.rel, e.kind, e.kind === 'symlink' ? e.link.escapes : undefined]);
    expect(got).toEqual([
      ['a', 'dir', undefined],
      ['a/b', 'dir', undefined],
      ['a/b/f', 'file', undefined],
      ['a/b/loop', 'symlink', false],
      [`a/${decodePathBytes(Buffer.from([0x6e, 0xff]))}`, 'file', undefined],
      ['in', 'symlink', false],
      ['out', 'symlink', true],
      ['pipe', 'other', undefined],
    ]);
    const odd = walkTree(root).find((e) => e.rel.startsWith('a/n'))!;
    expect(pathBytes(odd.abs).includes(Buffer.from([0x6e, 0xff]))).toBe(true);
  });
});
