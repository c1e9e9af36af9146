import { readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { damage, makeDataDir, runId, writeRun } from '../../fixtures/build/dataDir.mjs';
import { check, recordManifest } from '../../src/index.js';
import { runCli, tempDir } from '../helpers/cli.js';
import { toColumns } from '../../src/engine/manifest/recordColumns.js';

const RUN = runId(0);
const OTHER = runId(1);
const recordPath = (dataDir: string) => join(dataDir, '.trackio-fsck', 'manifest.json');
const readRecord = (dataDir: string) => JSON.parse(readFileSync(recordPath(dataDir), 'utf8'));
/** Format 3's rows: files ['f', path, sha256, size, mtimeMs, ino, flags, lines], listings ['d', path, mtimeMs, ino, names]. */
const fileRows = (doc: { rows: unknown[][] }) => doc.rows.filter((r) => r[0] === 'f') as Array<[string, string, string, number, number, number, number, number | null]>;
const dirRows = (doc: { rows: unknown[][] }) => doc.rows.filter((r) => r[0] === 'd') as Array<[string, string, number, number, string]>;

async function recorded(runs = 2) {
  const dataDir = makeDataDir(tempDir(), { runs, steps: 6 });
  expect((await recordManifest(dataDir)).report.exitCode).toBe(0);
  return dataDir;
}

/** A file created, then its directory's mtime put back: what only a directory listing can reveal. */
function hiddenNewFile(dataDir: string, run: string, dir = 'logs', name = 'extra.log') {
  const d = join(dataDir, 'runs', run, dir);
  const st = statSync(d);
  writeFileSync(join(d, name), 'hello\n');
  utimesSync(join(d, name), st.atime, st.mtime);
  utimesSync(d, st.atime, st.mtime);
  return `runs/${run}/${dir}/${name}`;
}

describe('check --fast reuses directory listings recorded with the manifest (git untracked cache)', () => {
  it('the record (format 3) is one JSON document with a row per line: every file, then the listing of every old directory', async () => {
    const dataDir = await recorded();
    const doc = readRecord(dataDir);
    expect(doc.format).toBe('trackio-fsck-manifest/3');
    expect(fileRows(doc).map((r) => r[1])).toEqual(readFileSync(join(dataDir, 'manifest-sha256.txt'), 'utf8').trim().split('\n').map((l) => l.slice(66)));
    expect(dirRows(doc).find((r) => r[1] === `runs/${RUN}`)![4]).toBe('artifacts//config.json/logs//metrics.jsonl/summary.json/');
    expect(dirRows(doc).map((r) => r[1])).toContain(`runs/${OTHER}/logs`);
    const lines = readFileSync(recordPath(dataDir), 'utf8').split('\n');
    expect(lines.length).toBe(1 + 1 + doc.rows.length + 2 + 1);
    expect(lines.slice(2, 2 + doc.rows.length).every((l, i) => JSON.stringify(JSON.parse(i === 0 ? l : l.slice(1))) === l.slice(i === 0 ? 0 : 1))).toBe(true);
  });

  it('a file added to a listed directory changes its mtime, so --fast lists it again and reads the new file', async () => {
    const dataDir = await recorded();
    const added = damage.addFile(dataDir, RUN, 'logs/eval.log');
    const { report, files } = await check(dataDir, { fast: true });
    expect(files.filter((f) => !f.trusted).map((f) => f.path)).toEqual([added.path]);
    expect(report.findings.map((f) => [f.code, f.path])).toEqual([[added.code, added.path]]);
  });

  it('a file hidden by putting its directory mtime back is missed by --fast (the trade-off), seen by check', async () => {
    const dataDir = await recorded();
    const hidden = hiddenNewFile(dataDir, OTHER);
    const fast = await check(dataDir, { fast: true });
    expect(fast.report.findings).toEqual([]);
    expect(fast.files.map((f) => f.path)).not.toContain(hidden);
    const full = await check(dataDir);
    expect(full.report.findings.map((f) => [f.code, f.path])).toEqual([['manifest/new', hidden]]);
  });

  it('a directory changed within 2 s of the walk is not recorded (an entry created in the same clock tick would be missed)', async () => {
    const dataDir = makeDataDir(tempDir(), { runs: 1 });
    writeRun(dataDir, OTHER, { old: false }); // its directories carry the time of now
    await recordManifest(dataDir);
    const dirs = dirRows(readRecord(dataDir)).map((r) => r[1]);
    expect(dirs).toContain(`runs/${RUN}/logs`);
    expect(dirs.filter((p: string) => p.startsWith(`runs/${OTHER}`))).toEqual([]);
    const hidden = hiddenNewFile(dataDir, OTHER);
    const fast = await check(dataDir, { fast: true, liveWindowMs: 0 });
    expect(fast.report.findings.map((f) => [f.code, f.path])).toEqual([['manifest/new', hidden]]);
  });

  it('a listing naming .. or a path is ignored and the directory read again', async () => {
    const dataDir = await recorded();
    // The listing's row, rewritten in place (a row per line: the rest of the record is untouched).
    let changed = 0;
    const lines = readFileSync(recordPath(dataDir), 'utf8').split('\n').map((l) => {
      const comma = l.startsWith(',') ? ',' : '';
      if (!l.startsWith(`${comma}["d","runs/${RUN}/logs",`)) return l;
      const row = JSON.parse(l.slice(comma.length));
      row[4] = '../../../etc//train.log/';
      changed++;
      return comma + JSON.stringify(row);
    });
    expect(changed).toBe(1);
    writeFileSync(recordPath(dataDir), lines.join('\n'));
    const { report, files } = await check(dataDir, { fast: true });
    expect(report.findings).toEqual([]);
    expect(files.map((f) => f.path).filter((p) => p.startsWith(`runs/${RUN}/logs`))).toEqual([`runs/${RUN}/logs/train.log`]);
    expect(files.every((f) => f.trusted)).toBe(true);
  });

  it.each([1, 2])('a format-%i record (one JSON value, files by path or as columns) is still read; manifest write rewrites it as format 3', async (format) => {
    const dataDir = await recorded();
    const doc = readRecord(dataDir);
    const rows = fileRows(doc);
    const entry = (r: (typeof rows)[number]) => ({ sha256: r[2], size: r[3], mtimeMs: r[4], ino: r[5], ...(r[6] & 1 ? { appendOnly: true } : {}) });
    const files = format === 1 ? Object.fromEntries(rows.map((r) => [r[1], entry(r)])) : toColumns(rows.map((r) => [r[1], entry(r)]));
    const dirs = dirRows(doc);
    const stored = { path: dirs.map((d) => d[1]), mtimeMs: dirs.map((d) => d[2]), ino: dirs.map((d) => d[3]), names: dirs.map((d) => d[4]) };
    writeFileSync(recordPath(dataDir), JSON.stringify({ format: `trackio-fsck-manifest/${format}`, tool: doc.tool, version: doc.version, writtenAt: doc.writtenAt, manifestSha256: doc.manifestSha256, files, ...(format === 2 ? { dirs: stored } : {}) }));
    damage.appendRecords(dataDir, RUN);
    const fast = await check(dataDir, { fast: true });
    expect(fast.files.filter((f) => f.trusted)).toHaveLength(9);
    expect(fast.report.findings.map((f) => f.code)).toEqual(['manifest/appended']); // append detection needs the record's sizes
    const r = runCli(['manifest', 'write', dataDir]);
    expect(r.code).toBe(0);
    expect(readRecord(dataDir).format).toBe('trackio-fsck-manifest/3');
  });
});
