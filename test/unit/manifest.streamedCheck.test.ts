// check reads the manifest and its record beside the walk (ManifestStream) instead of whole (issue
// 15: memory flat at 100 000 runs). The streamed check must report exactly what the check with the
// manifest read whole reports: same report, same events in the same order, same records, over a
// sweep of changes made after `manifest write`, with run and file names whose orders disagree
// (' ' < '-' < '.' < '/' < '_': runs/a b/ and runs/a-b/ sort before runs/a/, runs/a_b/ after it;
// an astral character sorts before U+FF5E by code unit, after it by code point).
import { createHash } from 'node:crypto';
import { appendFileSync, mkdirSync, readFileSync, realpathSync, renameSync, rmSync, statSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ageTree, metricsRecord, writeRun } from '../../fixtures/build/dataDir.mjs';
import { check, readManifest, recordManifest } from '../../src/index.js';
import { scanWindow, writeManifest } from '../helpers/internals.js';
import { openManifestStream } from '../../src/engine/manifest/ManifestStream.js';
import { tempDir } from '../helpers/cli.js';
import { manifestInputs, ODD_NAMES } from '../helpers/manifestInputs.js';

/** Run names whose `runs/<id>/` order is not their plain order, or that sort differently by code point. */
const RUNS = ['a', 'a-b', 'a b', 'a.b', 'a_b', 'aé', 'a😀', 'a\uFF5E', 'Z', '日本'];
/** Files in every run beside the usual ones: '-' < '.' < '/' and ' ' before both, a deeper folder, astral and BMP names. */
const EXTRA = ['artifacts/a-b.bin', 'artifacts/a/b.bin', 'artifacts/a b.bin', 'artifacts/a.b', 'artifacts/é.bin', 'artifacts/\uFF5E.bin', 'artifacts/😀.bin', 'artifacts/x/y/z.bin'];

function build(): string {
  const dataDir = join(tempDir(), '.trackio');
  for (const id of RUNS) {
    const run = writeRun(dataDir, id, { steps: 3 });
    for (const rel of EXTRA) {
      mkdirSync(dirname(join(run, rel)), { recursive: true });
      writeFileSync(join(run, rel), `${id}/${rel}\n`);
    }
    ageTree(run);
  }
  return dataDir;
}

const file = (dataDir: string, run: string, rel: string) => join(dataDir, 'runs', run, rel);

/** Rewrites a file with these bytes and puts its mtime (and its folder's) back: only a read sees it. */
function hiddenWrite(path: string, bytes: string | Buffer): void {
  const st = statSync(path, { throwIfNoEntry: false }) ?? statSync(dirname(path));
  const dir = statSync(dirname(path));
  writeFileSync(path, bytes);
  utimesSync(path, st.atime, st.mtime);
  utimesSync(dirname(path), dir.atime, dir.mtime);
}

type Change = [name: string, apply: (dataDir: string) => void | Promise<void>, read: 'stream' | 'whole'];

const CHANGES: Change[] = [
  ['nothing', () => {}, 'stream'],
  ['a file added', (d) => writeFileSync(file(d, 'a-b', 'artifacts/new.bin'), 'new\n'), 'stream'],
  ['a file added, its folder mtime put back', (d) => hiddenWrite(file(d, 'a', 'artifacts/a/hidden.bin'), 'hidden\n'), 'stream'],
  ['a file removed', (d) => rmSync(file(d, 'a', 'artifacts/a-b.bin')), 'stream'],
  ['a file removed from a deep folder', (d) => rmSync(file(d, 'a😀', 'artifacts/x/y/z.bin')), 'stream'],
  ['same size, same mtime, other bytes', (d) => hiddenWrite(file(d, 'a b', 'artifacts/é.bin'), Buffer.from('a b/artifacts/é.biX\n')), 'stream'],
  ['a file rewritten with another size', (d) => writeFileSync(file(d, 'a.b', 'config.json'), '{"lr": 1}'), 'stream'],
  ['metrics appended', (d) => appendFileSync(file(d, 'a_b', 'metrics.jsonl'), `${JSON.stringify(metricsRecord(3))}\n`), 'stream'],
  ['metrics cut short', (d) => truncateSync(file(d, 'Z', 'metrics.jsonl'), 10), 'stream'],
  ['a file renamed into a folder', (d) => renameSync(file(d, 'a', 'artifacts/a b.bin'), file(d, 'a', 'artifacts/a/b2.bin')), 'stream'],
  ['a file renamed across runs', (d) => renameSync(file(d, 'aé', 'artifacts/\uFF5E.bin'), file(d, 'a\uFF5E', 'artifacts/moved.bin')), 'stream'],
  ['only an mtime changed', (d) => utimesSync(file(d, '日本', 'summary.json'), new Date('2026-02-01T00:00:00Z'), new Date('2026-02-01T00:00:00Z')), 'stream'],
  ['new runs between recorded ones', (d) => {
    writeRun(d, 'a-c', { steps: 2 });
    writeRun(d, 'a0', { steps: 2 });
  }, 'stream'],
  ['a run removed whose name prefixes others', (d) => rmSync(join(d, 'runs', 'a'), { recursive: true }), 'stream'],
  ['two runs removed, first and last', (d) => {
    rmSync(join(d, 'runs', 'Z'), { recursive: true });
    rmSync(join(d, 'runs', '日本'), { recursive: true });
  }, 'stream'],
  ['every run removed', (d) => {
    for (const id of RUNS) rmSync(join(d, 'runs', id), { recursive: true });
  }, 'stream'],
  ['a line appended to the manifest (record torn from it)', (d) => appendFileSync(join(d, 'manifest-sha256.txt'), `${'0'.repeat(64)}  runs/日本/zz.bin\n`), 'stream'],
  ['malformed and unsafe lines in the manifest', (d) => appendFileSync(join(d, 'manifest-sha256.txt'), `not a line\n${'1'.repeat(64)}  ../outside\n`), 'stream'],
  ['the record removed', (d) => rmSync(join(d, '.trackio-fsck', 'manifest.json')), 'stream'],
  ['the record cut short', (d) => {
    const p = join(d, '.trackio-fsck', 'manifest.json');
    truncateSync(p, statSync(p).size - 20);
  }, 'stream'],
  ['listings out of run order (a manifest write --run)', async (d) => {
    writeFileSync(file(d, 'aé', 'artifacts/a/late.bin'), 'late\n');
    ageTree(join(d, 'runs', '日本'));
    expect((await recordManifest(d, { runs: ['日本'] })).report.exitCode).toBeLessThan(8);
  }, 'stream'],
  ['the manifest out of order (hand-edited)', (d) => {
    const p = join(d, 'manifest-sha256.txt');
    const lines = readFileSync(p, 'utf8').trimEnd().split('\n');
    writeFileSync(p, `${[...lines.slice(1), lines[0]].join('\n')}\n`);
  }, 'whole'],
  ['a line repeated in the manifest', (d) => {
    const p = join(d, 'manifest-sha256.txt');
    const lines = readFileSync(p, 'utf8').trimEnd().split('\n');
    writeFileSync(p, `${[lines[0], ...lines].join('\n')}\n`);
  }, 'whole'],
];

const MODES = [
  { fast: false },
  { fast: true },
  { fast: true, runs: ['a-b', 'a', '日本'] },
  { fast: false, runs: ['a b'] },
];

/** A check's outcome, durations left out: the report, every event in order, the records, the trusted count (or the error). */
async function outcome(dataDir: string, options: Parameters<typeof check>[1]): Promise<unknown> {
  const events: unknown[] = [];
  try {
    const r = await check(dataDir, { ...options, keepFiles: true }, (e) => events.push(e));
    const report = { ...r.report, summary: { ...r.report.summary, durationMs: 0 } };
    return { report, events, files: r.files, trusted: r.trusted, runs: r.runs };
  } catch (err) {
    return { error: (err as Error).message, events };
  }
}

describe('check with the manifest streamed beside the walk', () => {
  const windowFiles = scanWindow.files;
  beforeEach(() => {
    scanWindow.files = 7; // windows end inside runs' worth of files: entries are dropped and taken across their edges
  });
  afterEach(() => {
    scanWindow.files = windowFiles;
  });

  it.each(CHANGES)('reports what the whole-manifest check reports: %s', async (_name, apply, read) => {
    const dataDir = build();
    expect((await recordManifest(dataDir)).report.exitCode).toBe(0);
    await apply(dataDir);
    const real = realpathSync(dataDir);
    const stream = await openManifestStream(real, { dirs: true });
    expect(typeof stream === 'object' ? 'stream' : stream).toBe(read === 'stream' ? 'stream' : 'unordered');
    if (typeof stream === 'object') await stream.close();
    let seen = 0;
    for (const mode of MODES) {
      const streamed = await outcome(dataDir, mode);
      const whole = await outcome(dataDir, { ...mode, manifest: (await readManifest(real, { skipDirs: !mode.fast }))! });
      expect(streamed).toEqual(whole);
      // Seen: a finding, or (--fast) a file no longer trusted.
      const r = streamed as { report?: { findings: unknown[]; summary: { files: number } }; trusted?: number; error?: string };
      seen += (r.report?.findings.length ?? 0) + (r.error ? 1 : 0) + (mode.fast && r.report && r.trusted! < r.report.summary.files ? 1 : 0);
    }
    // The sweep is not vacuous: every change but the first is seen by some mode.
    expect(seen > 0).toBe(_name !== 'nothing');
  });

  it('--fast still trusts unchanged files and reuses listings when streamed', async () => {
    const dataDir = build();
    await recordManifest(dataDir);
    const r = await check(dataDir, { fast: true });
    expect(r.report.findings).toEqual([]);
    expect(r.trusted).toBe(r.report.summary.files);
    expect(r.trusted).toBe(RUNS.length * (5 + EXTRA.length));
  });
});

describe('EntryCursor: the manifest and its record merged a line at a time', () => {
  it('yields what readManifest holds, entry for entry, across 1 MiB read chunks and odd names', async () => {
    const dir = tempDir();
    const files = manifestInputs(30_000, [...ODD_NAMES, '😀', '\uFF5E']);
    await writeManifest(dir, files, { dirs: [['runs/r0000', { mtimeMs: 5, ino: 6, names: ['d0/', 'x'] }]] });
    expect(statSync(join(dir, 'manifest-sha256.txt')).size).toBeGreaterThan(2 << 20);
    const whole = (await readManifest(dir))!;
    const stream = await openManifestStream(dir, { dirs: true });
    if (typeof stream !== 'object') throw new Error(`not streamed: ${stream}`);
    try {
      expect(stream.problems).toEqual(whole.problems);
      expect(stream.recordAgrees).toBe(true);
      const cursor = stream.entries();
      let n = 0;
      for (const [, expected] of whole.entries) {
        expect(cursor.next()).toEqual(expected);
        n++;
      }
      expect(cursor.next()).toBeUndefined();
      expect(n).toBe(files.length);
      const into = new Map();
      stream.dirRows()!.take('r0000', into);
      expect([...into.keys()]).toEqual(['runs/r0000']);
    } finally {
      await stream.close();
    }
  });
});

describe('manifest write with the old manifest streamed beside the walk', () => {
  const windowFiles = scanWindow.files;
  beforeEach(() => {
    scanWindow.files = 7;
  });
  afterEach(() => {
    scanWindow.files = windowFiles;
  });
  const NOW = new Date('2026-03-01T00:00:00Z');
  const STATE = ['manifest-sha256.txt', join('.trackio-fsck', 'manifest.json')];

  /** What a write leaves and says: its report (no durations), its counts, the bytes of the manifest and the record. */
  async function write(dataDir: string, options: { fast?: boolean; runs?: string[] }): Promise<unknown> {
    try {
      const r = await recordManifest(dataDir, { ...options, now: NOW });
      const report = { ...r.report, summary: { ...r.report.summary, durationMs: 0 } };
      return { report, counts: r.manifest, state: STATE.map((p) => readFileSync(join(dataDir, p), 'utf8')) };
    } catch (err) {
      return { error: (err as Error).message };
    }
  }

  /**
   * The same old manifest with its lines in another order (and the record's digest of it made to
   * match): readManifest reads it whole, and what is written from it must be the same.
   */
  function unordered(dataDir: string): void {
    const p = join(dataDir, STATE[0]!);
    const lines = readFileSync(p, 'utf8').trimEnd().split('\n').reverse();
    const text = `${lines.join('\n')}\n`;
    writeFileSync(p, text);
    const r = join(dataDir, STATE[1]!);
    const digest = createHash('sha256').update(text).digest('hex');
    writeFileSync(r, readFileSync(r, 'utf8').replace(/"manifestSha256": "[0-9a-f]{64}"/, `"manifestSha256": "${digest}"`));
  }

  const DATA_CHANGES = CHANGES.filter(([name]) => !/manifest|record|listings/.test(name));
  it.each(DATA_CHANGES)('writes what the whole-manifest write writes: %s', async (_name, apply) => {
    const dataDir = build();
    expect((await recordManifest(dataDir)).report.exitCode).toBe(0);
    await apply(dataDir);
    const before = STATE.map((p) => readFileSync(join(dataDir, p)));
    const restore = () => STATE.forEach((p, i) => writeFileSync(join(dataDir, p), before[i]!));
    for (const mode of [{}, { fast: true }, { runs: ['a', 'a b'] }, { fast: true, runs: ['日本', 'a-b'] }]) {
      restore();
      const stream = await openManifestStream(realpathSync(dataDir), { dirs: true, allowEmpty: true });
      expect(typeof stream).toBe('object');
      if (typeof stream === 'object') await stream.close();
      const streamed = await write(dataDir, mode);
      restore();
      unordered(dataDir);
      expect(await openManifestStream(realpathSync(dataDir), { dirs: true, allowEmpty: true })).toBe('unordered');
      const whole = await write(dataDir, mode);
      expect(streamed).toEqual(whole);
    }
  });
});
