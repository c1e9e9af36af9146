import { readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { damage, makeDataDir, runId, writeRun } from '../../fixtures/build/dataDir.mjs';
import { check, recordManifest } from '../../src/index.js';
import { runCli, tempDir } from '../helpers/cli.js';

const RUN = runId(0);
const OTHER = runId(1);
const recordPath = (dataDir: string) => join(dataDir, '.trackio-fsck', 'manifest.json');
const readRecord = (dataDir: string) => JSON.parse(readFileSync(recordPath(dataDir), 'utf8'));

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
  it('the record (format 2) keeps files as columns and the listing of every old directory', async () => {
    const dataDir = await recorded();
    const doc = readRecord(dataDir);
    expect(doc.format).toBe('trackio-fsck-manifest/2');
    expect(doc.files.path).toHaveLength(10);
    expect(doc.files.sha256).toHaveLength(10);
    const at = doc.dirs.path.indexOf(`runs/${RUN}`);
    expect(doc.dirs.names[at]).toBe('artifacts//config.json/logs//metrics.jsonl/summary.json/');
    expect(doc.dirs.path).toContain(`runs/${OTHER}/logs`);
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
    const { dirs } = readRecord(dataDir);
    expect(dirs.path).toContain(`runs/${RUN}/logs`);
    expect(dirs.path.filter((p: string) => p.startsWith(`runs/${OTHER}`))).toEqual([]);
    const hidden = hiddenNewFile(dataDir, OTHER);
    const fast = await check(dataDir, { fast: true, liveWindowMs: 0 });
    expect(fast.report.findings.map((f) => [f.code, f.path])).toEqual([['manifest/new', hidden]]);
  });

  it('a listing naming .. or a path is ignored and the directory read again', async () => {
    const dataDir = await recorded();
    const doc = readRecord(dataDir);
    const at = doc.dirs.path.indexOf(`runs/${RUN}/logs`);
    doc.dirs.names[at] = '../../../etc//train.log/';
    writeFileSync(recordPath(dataDir), JSON.stringify(doc));
    const { report, files } = await check(dataDir, { fast: true });
    expect(report.findings).toEqual([]);
    expect(files.map((f) => f.path).filter((p) => p.startsWith(`runs/${RUN}/logs`))).toEqual([`runs/${RUN}/logs/train.log`]);
    expect(files.every((f) => f.trusted)).toBe(true);
  });

  it('a format-1 record (one object per file, no listings) is still read; manifest write rewrites it as format 2', async () => {
    const dataDir = await recorded();
    const doc = readRecord(dataDir);
    const files: Record<string, unknown> = {};
    doc.files.path.forEach((p: string, i: number) => {
      files[p] = { sha256: doc.files.sha256[i], size: doc.files.size[i], mtimeMs: doc.files.mtimeMs[i], ino: doc.files.ino[i], ...(doc.files.flags[i] & 1 ? { appendOnly: true } : {}) };
    });
    writeFileSync(recordPath(dataDir), JSON.stringify({ format: 'trackio-fsck-manifest/1', tool: doc.tool, version: doc.version, writtenAt: doc.writtenAt, manifestSha256: doc.manifestSha256, files }));
    damage.appendRecords(dataDir, RUN);
    const fast = await check(dataDir, { fast: true });
    expect(fast.files.filter((f) => f.trusted)).toHaveLength(9);
    expect(fast.report.findings.map((f) => f.code)).toEqual(['manifest/appended']); // append detection needs the record's sizes
    const r = runCli(['manifest', 'write', dataDir]);
    expect(r.code).toBe(0);
    expect(readRecord(dataDir).format).toBe('trackio-fsck-manifest/2');
  });
});
