// Manifests written while the files are read and read back a chunk at a time (issue 15: memory flat
// in the number of files): what comes back is what went in, across chunk edges and odd names, and a
// record that is torn, cut or edited never vouches for a file.
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readManifest } from '../../src/index.js';
import { writeManifest } from '../helpers/internals.js';
import { ManifestWriter } from '../../src/engine/manifest/ManifestWriter.js';
import { tempDir } from '../helpers/cli.js';
import { manifestInputs } from '../helpers/manifestInputs.js';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const RECORD = ['.trackio-fsck', 'manifest.json'];


async function written(n: number) {
  const dir = tempDir();
  const files = manifestInputs(n);
  const dirs: Array<[string, { mtimeMs: number; ino: number; names: string[] }]> = [['runs/r0000', { mtimeMs: 5, ino: 6, names: ['d0/', 'x'] }]];
  // Given in reverse: writeManifest sorts.
  await writeManifest(dir, [...files].reverse(), { dirs, now: new Date('2026-01-01T00:00:00Z') });
  return { dir, files: files.sort((a, b) => (a.path < b.path ? -1 : 1)) };
}

describe('manifests streamed in and out', () => {
  it('what is written reads back entry for entry, across chunk edges, with odd names and sparse records', async () => {
    const { dir, files } = await written(30_000); // ~3 MB of manifest: lines cross the 1 MiB read chunks
    expect(readFileSync(join(dir, 'manifest-sha256.txt')).length).toBeGreaterThan(2 << 20);
    const state = (await readManifest(dir))!;
    expect(state.problems).toEqual([]);
    expect(state.recordAgrees).toBe(true);
    expect(state.entries.size).toBe(files.length);
    let line = 0;
    for (const [path, e] of state.entries) {
      const f = files[line++]!;
      expect(path).toBe(f.path);
      expect(e).toMatchObject({ path: f.path, sha256: f.sha256, line });
      if (f.size === undefined) expect(e.record).toBeUndefined();
      else {
        expect(e.record).toMatchObject({ sha256: f.sha256, size: f.size, mtimeMs: f.mtimeMs, ino: f.ino });
        expect(e.record!.lines).toBe(f.lines);
        expect(e.record!.live).toBe(f.live);
        expect(e.record!.findings).toEqual(f.findings);
      }
    }
    expect(state.dirs!.get('runs/r0000')).toEqual({ mtimeMs: 5, ino: 6, names: ['d0/', 'x'] });
  });

  it('a record cut anywhere (a torn write) vouches for nothing: record-mismatch, no entry keeps a record', async () => {
    const { dir } = await written(400);
    const path = join(dir, ...RECORD);
    const whole = readFileSync(path);
    const newlines = [...whole.entries()].filter(([, b]) => b === 10).map(([i]) => i);
    // Every line end, and points inside lines, from the head to the last byte.
    const cuts = [...new Set([0, 1, 17, ...newlines, ...newlines.map((i) => i + 1), ...newlines.map((i) => i - 3), whole.length - 2])].filter((c) => c >= 0 && c < whole.length - 1); // without only its last newline it is whole
    expect(cuts.length).toBeGreaterThan(400);
    for (const cut of cuts) {
      writeFileSync(path, whole.subarray(0, cut));
      const state = (await readManifest(dir))!;
      expect(state.problems.map((p) => p.code), `cut at ${cut}`).toEqual(['manifest/record-mismatch']);
      expect([...state.entries.values()].filter((e) => e.record), `cut at ${cut}`).toEqual([]);
      expect(state.dirs).toBeUndefined();
    }
  }, 60_000);

  it('a record row that disagrees with its manifest line is not used; the line is the authority', async () => {
    const { dir, files } = await written(50);
    const path = join(dir, ...RECORD);
    const victim = files.find((f) => f.size !== undefined)!;
    const text = readFileSync(path, 'utf8');
    expect(text).toContain(`"${victim.sha256}"`);
    writeFileSync(path, text.replace(`"${victim.sha256}"`, `"${'0'.repeat(64)}"`));
    const state = (await readManifest(dir))!;
    expect(state.problems).toEqual([]); // the pair still agrees by digest: only that row is off
    expect(state.entries.get(victim.path)).toEqual({ path: victim.path, sha256: victim.sha256, line: expect.any(Number) });
    expect([...state.entries.values()].filter((e) => e.record)).toHaveLength(files.filter((f) => f.size !== undefined).length - 1);
  });

  it('the writer takes files in path order only, and an aborted write leaves no temp file', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'runs'));
    const w = await ManifestWriter.open(dir);
    w.addFile({ path: 'runs/b', sha256: sha('b') });
    expect(() => w.addFile({ path: 'runs/a', sha256: sha('a') })).toThrow(/out of order/);
    expect(() => w.addFile({ path: 'runs/b', sha256: sha('b') })).toThrow(/twice/);
    expect(() => w.addFile({ path: '../x', sha256: sha('x') })).toThrow(/not a path inside/);
    w.abort();
    expect(readdirSync(dir).sort()).toEqual(['.trackio-fsck', 'runs']);
    expect(readdirSync(join(dir, '.trackio-fsck'))).toEqual(['.gitignore']);
  });
});
