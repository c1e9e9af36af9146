import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  holdProjectLock,
  leaveHotJournal,
  leaveWalBehind,
  makeTrackioDir,
  trackioDamage,
  writeInbox,
  writeProject,
  addImportedRows,
} from '../../fixtures/build/trackioDb.mjs';
import { check } from '../helpers/engine.js';
import { tempDir } from '../helpers/cli.js';
import { findDataDir } from '../../src/index.js';
import { isProjectLive, loadSqlite } from '../helpers/internals.js';

/** Every file below `dir` with its bytes' SHA-256, size and mtime: what "left exactly as found" means. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string, prefix: string) => {
    for (const name of readdirSync(d).sort()) {
      const abs = join(d, name);
      const st = statSync(abs);
      if (st.isDirectory()) walk(abs, `${prefix}${name}/`);
      else out[prefix + name] = `${createHash('sha256').update(readFileSync(abs)).digest('hex')} ${st.size} ${st.mtimeMs}`;
    }
  };
  walk(dir, '');
  return out;
}

const notInfo = (fs: Array<{ severity: string }>) => fs.filter((f) => f.severity !== 'info');

describe('sqlite check: healthy Trackio data dirs', () => {
  it('all three schema generations are clean, and the layout says trackio-sqlite', async () => {
    const dataDir = makeTrackioDir(tempDir());
    writeInbox(dataDir, 'mnist');
    const { report, databases } = await check(dataDir);
    expect(report.findings).toEqual([]);
    expect(report.layout).toBe('trackio-sqlite');
    expect(report.exitCode).toBe(0);
    expect(report.summary).toMatchObject({ runs: 6, errors: 0, warnings: 0 });
    expect(databases!.map((d) => [d.project, d.generation])).toEqual([
      ['cifar', 'pre-0.24'],
      ['legacy', '0.3'],
      ['mnist', '0.24+'],
    ]);
    expect(databases!.find((d) => d.project === 'mnist')!.rows).toEqual({ metrics: 10, configs: 2, system_metrics: 2, traces: 1, artifact_versions: 1 });
  });

  it('a pre-0.24 database opened by a newer Trackio (old run_name tables beside new run_id tables) is clean', async () => {
    const dataDir = makeTrackioDir(tempDir(), { projects: [['mixed', 'upgraded']] });
    const { report, databases } = await check(dataDir);
    expect(report.findings).toEqual([]);
    expect(databases![0]!.generation).toBe('pre-0.24');
    expect(databases![0]!.rows).toMatchObject({ metrics: 10, configs: 2, system_metrics: 2 });
  });

  it('the schema Trackio 0.36 creates: the tables and columns the fixtures build are those of sqlite_storage.py', () => {
    const dataDir = makeTrackioDir(tempDir(), { projects: [['p', 'current']] });
    const db = new (loadSqlite())(join(dataDir, 'p.db'), { readonly: true });
    const cols = (t: string) => db.prepare('SELECT name FROM pragma_table_info(?)').pluck().all(t);
    expect(cols('traces')).toEqual(['id', 'run_id', 'timestamp', 'run_name', 'step', 'key', 'trace_index', 'messages', 'metadata', 'search_text', 'log_id', 'space_id']);
    expect(cols('artifact_aliases')).toEqual(['artifact_id', 'alias', 'artifact_version_id']);
    expect(cols('run_artifact_links')).toEqual(['id', 'run_id', 'run_name', 'artifact_version_id', 'direction', 'created_at']);
    expect(cols('metrics')).toEqual(['id', 'run_id', 'timestamp', 'run_name', 'step', 'metrics', 'log_id', 'space_id']);
    expect(db.prepare("SELECT \"notnull\" FROM pragma_table_info('metrics') WHERE name = 'run_id'").pluck().get()).toBe(1);
    // Metric values Trackio writes besides numbers (strings, booleans, lists) and the reference entry are data.
    expect(db.prepare('SELECT typeof(metrics) FROM metrics LIMIT 1').pluck().get()).toBe('blob');
    expect(db.prepare('SELECT typeof(manifest) FROM artifact_versions').pluck().get()).toBe('text');
    db.close();
  });

  it('an artifact reference (ref entry, no local blob) is not a missing blob, and counts in the digest', async () => {
    const dataDir = makeTrackioDir(tempDir(), { projects: [['p', 'current']] });
    const db = new (loadSqlite())(join(dataDir, 'p.db'), { readonly: true });
    const manifest = JSON.parse(db.prepare('SELECT manifest FROM artifact_versions').pluck().get() as string);
    db.close();
    expect(manifest.filter((e: { ref?: string }) => e.ref)).toHaveLength(1);
    expect((await check(dataDir)).report.findings).toEqual([]);
  });

  // Found by running real Trackio 0.36 on a database written by Trackio 0.3.2: its get_logs raises
  // orjson.JSONDecodeError on such a row, so the run's charts do not load. Not damage (the values
  // are intact), but not something later Trackio reads either: a warning, not an info.
  it("0.3.x bare NaN in TEXT cells: the values are intact, but Trackio >= 0.5 cannot load them: a warning (exit 0; 4 with strict)", async () => {
    const dataDir = makeTrackioDir(tempDir(), { projects: [] });
    writeProject(dataDir, 'old', { generation: 'v0.3', nanStep: 2 });
    const { report } = await check(dataDir);
    expect(report.findings.map((f) => [f.code, f.severity, f.table, f.rowId])).toEqual([
      ['sqlite/nonfinite-number', 'warning', 'metrics', 3],
      ['sqlite/nonfinite-number', 'warning', 'metrics', 8],
    ]);
    expect(report.findings[0]!.message).toMatch(/Trackio 0\.5 and later cannot load this run's metrics/);
    expect(report.exitCode).toBe(0);
    expect((await check(dataDir, { strict: true })).report.exitCode).toBe(4);
  });

  it('repeated steps, empty and epoch timestamps (TensorBoard imports) are not damage', async () => {
    const dataDir = makeTrackioDir(tempDir(), { projects: [['tb', 'pre-0.24']] });
    addImportedRows(dataDir, 'tb');
    const { report } = await check(dataDir);
    expect(report.findings).toEqual([]);
  });

  it('"NaN" strings written by later versions are fine', async () => {
    const dataDir = makeTrackioDir(tempDir(), { projects: [] });
    writeProject(dataDir, 'p', { generation: 'current', nanStep: 1 });
    expect((await check(dataDir)).report.findings).toEqual([]);
  });
});

type Expected = { code: string; path: string; table?: string; rowId?: number };
const cases: Array<[string, (d: string) => Expected]> = [
  ['sqlite/integrity (a corrupted b-tree page)', (d) => trackioDamage.corruptPage(d, 'mnist')],
  ['sqlite/invalid-json (torn orjson cell)', (d) => trackioDamage.invalidJsonCell(d, 'mnist', 2)],
  ['sqlite/invalid-json (configs row)', (d) => trackioDamage.invalidJsonCell(d, 'cifar', 1, 'configs', 'config')],
  ['sqlite/json-schema', (d) => trackioDamage.wrongShapeCell(d, 'mnist', 3)],
  ['trackio/missing-media', (d) => trackioDamage.missingMedia(d, 'mnist')],
  ['trackio/missing-media (0.3.x media/ prefix)', (d) => trackioDamage.missingMedia(d, 'legacy')],
  ['trackio/blob-digest', (d) => trackioDamage.wrongBlobDigest(d, 'mnist')],
  ['trackio/partial-blob', (d) => trackioDamage.partialBlob(d, 'mnist')],
  ['trackio/manifest-digest', (d) => trackioDamage.wrongManifestDigest(d, 'mnist')],
  ['trackio/manifest-size', (d) => trackioDamage.wrongManifestSize(d, 'mnist')],
  ['sqlite/missing-table', (d) => trackioDamage.dropTable(d, 'cifar')],
  ['sqlite/missing-column', (d) => trackioDamage.dropColumn(d, 'cifar')],
  ['trackio/missing-blob', (d) => trackioDamage.missingBlob(d, 'mnist')],
  ['sqlite/not-a-database', (d) => trackioDamage.notADatabase(d)],
];

describe('sqlite check: one named damage, one code, located by project, table and row', () => {
  for (const [name, make] of cases) {
    it(name, async () => {
      const dataDir = makeTrackioDir(tempDir(), { steps: 300 });
      const expected = make(dataDir);
      const { report } = await check(dataDir);
      const found = notInfo(report.findings);
      const first = found[0]!;
      expect(first.code).toBe(expected.code);
      expect(first.path).toBe(expected.path);
      if (expected.table !== undefined) expect(first.table).toBe(expected.table);
      if (expected.rowId !== undefined) expect(first.rowId).toBe(expected.rowId);
      if (expected.rowId !== undefined) expect(first.message).toContain(`row ${expected.rowId}`);
      // A damaged page also stops the row scan there; every other damage is exactly one finding.
      if (expected.code === 'sqlite/integrity') expect(found.map((f) => f.code)).toEqual(['sqlite/integrity', 'sqlite/read-error']);
      else expect(found).toHaveLength(1);
      expect(report.exitCode).toBe(first.severity === 'error' ? 4 : 0);
    });
  }

  it('sqlite/orphan-sidecar: -wal and -shm without their database', async () => {
    const dataDir = makeTrackioDir(tempDir());
    trackioDamage.orphanWal(dataDir, 'gone');
    const { report } = await check(dataDir);
    expect(report.findings.map((f) => [f.code, f.path])).toEqual([
      ['sqlite/orphan-sidecar', 'gone.db-shm'],
      ['sqlite/orphan-sidecar', 'gone.db-wal'],
    ]);
  });

  it('many bad rows are folded: at most 20 findings per code and table, the rest counted', async () => {
    const dataDir = makeTrackioDir(tempDir(), { projects: [['p', 'pre-0.24']], runs: 1, steps: 50 });
    for (let id = 1; id <= 50; id++) trackioDamage.invalidJsonCell(dataDir, 'p', id);
    const { report } = await check(dataDir);
    expect(report.findings).toHaveLength(20);
    expect(report.findings[19]!.more).toBe(30);
    expect(report.summary.errors).toBe(50);
  });

  it('--full runs integrity_check instead of quick_check', async () => {
    const dataDir = makeTrackioDir(tempDir(), { steps: 300 });
    trackioDamage.corruptPage(dataDir, 'mnist');
    const { report } = await check(dataDir, { full: true });
    expect(report.findings[0]!.message).toContain('PRAGMA integrity_check failed');
  });

  it('inbox fragments go through the tolerant JSONL scanner', async () => {
    const dataDir = makeTrackioDir(tempDir());
    const inbox = writeInbox(dataDir, 'mnist', 'w1', 2);
    const frag = join(inbox, '000001.jsonl');
    writeFileSync(frag, readFileSync(frag, 'utf8') + '{"v": 2, "kind": "metric"}\n{"v": 1, "ki');
    writeFileSync(join(inbox, '000002.jsonl.tmp'), '{"v": 1');
    const { report } = await check(dataDir);
    expect(report.findings.map((f) => [f.code, f.path, f.line])).toEqual([
      ['jsonl/schema', 'inbox/w1/000001.jsonl', 4],
      ['jsonl/truncated-tail', 'inbox/w1/000001.jsonl', 5],
      ['fs/leftover-temp', 'inbox/w1/000002.jsonl.tmp', undefined],
    ]);
  });
});

describe('sqlite check: read-only, the directory left exactly as found', () => {
  it('WAL and rollback-journal databases: no new files, same bytes, same mtimes', async () => {
    const dataDir = makeTrackioDir(tempDir());
    writeInbox(dataDir, 'mnist');
    const before = snapshot(dataDir);
    expect(Object.keys(before).some((f) => f.endsWith('-wal') || f.endsWith('-shm'))).toBe(false);
    await check(dataDir);
    await check(dataDir, { full: true });
    expect(snapshot(dataDir)).toEqual(before);
  });

  it('a -wal left by a killed writer: its rows are checked, and -wal/-shm stay untouched', async () => {
    const dataDir = makeTrackioDir(tempDir(), { projects: [['p', 'pre-0.24']] });
    await leaveWalBehind(dataDir, 'p', 3);
    const before = snapshot(dataDir);
    const { report, databases } = await check(dataDir);
    expect(report.findings.map((f) => [f.code, f.path])).toEqual([['sqlite/wal-pending', 'p.db-wal']]);
    expect(databases![0]!.rows.metrics).toBe(13);
    expect(snapshot(dataDir)).toEqual(before);
  });

  it('a hot rollback journal: a warning; the database is read as the rollback will leave it; nothing rolled back in place', async () => {
    const dataDir = makeTrackioDir(tempDir(), { projects: [['old', 'v0.3']], steps: 200 });
    await leaveHotJournal(dataDir, 'old');
    const before = snapshot(dataDir);
    const { report } = await check(dataDir);
    expect(report.findings.map((f) => [f.code, f.path])).toEqual([['sqlite/hot-journal', 'old.db-journal']]);
    expect(snapshot(dataDir)).toEqual(before);
  });
});

describe('sqlite check: live writers', () => {
  it.runIf(process.platform === 'linux')('a held flock on <project>.lock is live: info, still read; isProjectLive says so until released', async () => {
    const dataDir = makeTrackioDir(tempDir());
    const lock = await holdProjectLock(dataDir, 'cifar');
    try {
      const { report, databases } = await check(dataDir);
      expect(report.findings.map((f) => [f.code, f.severity, f.path])).toEqual([['sqlite/live', 'info', 'cifar.db']]);
      expect(report.findings[0]!.message).toContain(`pid ${lock.pid}`);
      expect(databases!.find((d) => d.project === 'cifar')).toMatchObject({ live: true, rows: { metrics: 10 } });
      expect(await isProjectLive(dataDir, 'cifar')).toBe(true);
      expect(await isProjectLive(dataDir, 'mnist')).toBe(false);
    } finally {
      await lock.release();
    }
    expect(await isProjectLive(dataDir, 'cifar')).toBe(false);
  });

  it('an unfinished blob of a live project is not damage', async () => {
    const dataDir = makeTrackioDir(tempDir());
    trackioDamage.partialBlob(dataDir, 'mnist');
    const lock = await holdProjectLock(dataDir, 'mnist');
    try {
      expect((await check(dataDir)).report.findings.map((f) => f.code)).toEqual(['sqlite/live']);
    } finally {
      await lock.release();
    }
  });
});

describe('finding the Trackio data dir', () => {
  it('$HF_HOME/trackio, then ~/.cache/huggingface/trackio, each named when nothing is found', () => {
    const root = tempDir();
    const cwd = join(root, 'work');
    mkdirSync(cwd);
    const hf = join(root, 'hf');
    const home = join(root, 'home');
    expect(() => findDataDir(undefined, { cwd, env: { HF_HOME: hf, HOME: home } })).toThrow(
      new RegExp(`${join(hf, 'trackio')} \\(\\$HF_HOME/trackio\\)[\\s\\S]*${join(home, '.cache/huggingface/trackio')}`),
    );
    writeProject(join(home, '.cache', 'huggingface', 'trackio'), 'p', { generation: 'current' });
    expect(findDataDir(undefined, { cwd, env: { HF_HOME: hf, HOME: home } })).toMatchObject({ layout: 'trackio-sqlite', foundBy: 'home' });
    writeProject(join(hf, 'trackio'), 'q', { generation: 'current' });
    expect(findDataDir(undefined, { cwd, env: { HF_HOME: hf, HOME: home } })).toMatchObject({ dataDir: join(hf, 'trackio'), foundBy: 'HF_HOME' });
  });
});
