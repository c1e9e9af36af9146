import { spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeDivergentRunDirs, makeDivergentTrackioDirs } from '../../fixtures/build/divergentDirs.mjs';
import { makeDivergentRegistries } from '../../fixtures/build/divergentRegistries.mjs';
import { damage, makeDataDir, metricsRecord, runId } from '../../fixtures/build/dataDir.mjs';
import { holdProjectLock, makeTrackioDir, withDbFile, writeProject } from '../../fixtures/build/trackioDb.mjs';
import { loadSqlite } from '../../src/engine/layouts/trackioSqlite/loadSqlite.js';
import { BIN, runCli, tempDir } from '../helpers/cli.js';
import { snapshot } from '../helpers/repairTree.js';
import { hasPython, onTerminal } from '../helpers/onTerminal.js';

/** The data as a user sees it: every file and folder but trackio-fsck's own state (journals, backups). */
const userView = (dir: string) => snapshot(dir, (p) => p.startsWith('.trackio-fsck'));
/** Everything, trackio-fsck's state included: what must not change in B. */
const everything = (dir: string) => snapshot(dir);

function json(args: string[]) {
  const r = runCli([...args, '--json']);
  return { ...r, doc: JSON.parse(r.stdout) };
}

/** Rows (of every table compare matches) that appear twice with the same run, place and content. */
function duplicates(db: string): number {
  const d = new (loadSqlite())(db, { readonly: true });
  try {
    const q = (sql: string) => (d.prepare(sql).pluck().get() as number | null) ?? 0;
    return q('SELECT sum(n - 1) FROM (SELECT count(*) AS n FROM metrics GROUP BY run_name, step, CAST(metrics AS BLOB) HAVING n > 1)') + q('SELECT sum(n - 1) FROM (SELECT count(*) AS n FROM alerts GROUP BY run_name, timestamp, title HAVING n > 1)');
  } finally {
    d.close();
  }
}

function quarantined(dir: string): string[] {
  return Object.entries(snapshot(join(dir, 'quarantine')))
    .filter(([p, v]) => v !== 'dir' && p.includes('theirs/'))
    .map(([p]) => p);
}

describe('trackio-fsck merge B DIR (Trackio SQLite layout)', () => {
  it('brings what B has and DIR lacks, keeps conflicts in quarantine, never duplicates, leaves B untouched; undo gives the exact bytes back', () => {
    const { a: local, b: offsite } = makeDivergentTrackioDirs(tempDir());
    const before = userView(offsite);
    const source = everything(local);

    const dry = runCli(['merge', '-n', local, offsite]);
    expect(dry.code, dry.stderr).toBe(4);
    expect(dry.stdout).toContain('copy project cifar in whole');
    expect(dry.stdout).toContain('insert 3 metrics, 1 alerts rows only the other copy has');
    expect(dry.stdout).toContain('Dry run: nothing was changed');
    expect(everything(offsite)).toEqual(before);

    const merged = runCli(['merge', '-y', local, offsite]);
    expect(merged.stderr).toBe('');
    // Conflicts (a changed metrics row and config, a changed blob) are left: exit 4, both versions kept.
    expect(merged.code).toBe(4);
    expect(merged.stdout).toContain('3 conflicts left');
    expect(everything(local), 'B is only read: not a byte or file changed or created').toEqual(source);

    const after = json(['compare', offsite, local]).doc;
    for (const p of after.projects) {
      for (const [table, t] of Object.entries(p.tables as Record<string, { onlyInB: number }>)) expect(t.onlyInB, `${p.project} ${table}`).toBe(0);
      expect(p.media.onlyInB + p.artifacts.onlyInB).toBe(0);
    }
    expect(after.projects.find((p: { project: string }) => p.project === 'cifar').equal).toBe(true);
    expect(duplicates(join(offsite, 'mnist.db'))).toBe(0);
    // DIR's own versions stay; B's differing ones are in quarantine: the rows as JSONL, the blob as its bytes.
    const kept = quarantined(offsite);
    expect(kept.some((p) => p.endsWith('theirs/mnist.db.rows.jsonl'))).toBe(true);
    const rowsFile = join(offsite, 'quarantine', kept.find((p) => p.endsWith('.rows.jsonl'))!);
    const rows = readFileSync(rowsFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { table: string });
    expect(rows.map((r) => r.table).sort()).toEqual(['configs', 'metrics']);
    const blob = kept.find((p) => p.includes('theirs/artifacts/'))!;
    expect(readFileSync(join(offsite, 'quarantine', blob))).toEqual(readFileSync(join(local, blob.slice(blob.indexOf('theirs/') + 7))));

    // A second merge brings nothing and keeps nothing again: DIR does not change.
    const merged2 = userView(offsite);
    const again = json(['merge', '-y', local, offsite]);
    expect(again.code).toBe(4);
    expect(again.doc.plan.steps).toEqual([]);
    expect(again.doc.plan.conflicts.every((c: { keptIn?: string }) => c.keptIn)).toBe(true);
    expect(userView(offsite)).toEqual(merged2);

    // undo reverts the last merge (the one that changed something): every file and folder as before.
    const undo = runCli(['undo', offsite]);
    expect(undo.code, undo.stdout + undo.stderr).toBe(0);
    expect(userView(offsite)).toEqual(before);
    expect(everything(local)).toEqual(source);
  });

  it('nothing to bring: exit 0; B with only new rows: exit 1, and then a second merge is a no-op (exit 0)', () => {
    const local = makeTrackioDir(tempDir(), { projects: [['mnist', 'current']] });
    const copy = join(tempDir(), 'copy');
    cpSync(local, copy, { recursive: true });
    expect(runCli(['merge', '-y', copy, local]).code).toBe(0);
    // The copy gains a step of run 0 (as a copy ahead of a local loss would).
    const db = new (loadSqlite())(join(copy, 'mnist.db'));
    db.prepare("INSERT INTO metrics (run_id, timestamp, run_name, step, metrics) SELECT run_id, timestamp, run_name, 99, metrics FROM metrics WHERE rowid = 1").run();
    db.close();
    const first = runCli(['merge', '-y', copy, local]);
    expect(first.code, first.stdout + first.stderr).toBe(1);
    expect(first.stdout).toContain('Nothing left to bring');
    expect(json(['compare', local, copy]).code).toBe(0);
    const settled = userView(local);
    expect(runCli(['merge', '-y', copy, local]).code).toBe(0);
    expect(userView(local)).toEqual(settled);
  });
});

describe('trackio-fsck merge B DIR: the artifact registry and project_metadata', () => {
  it("brings B's artifacts, versions, aliases, run links and metadata keys under DIR's ids; conflicts kept; undo exact", () => {
    const { dir, source } = makeDivergentRegistries(tempDir());
    const before = userView(dir);
    const source0 = everything(source);

    const compared = runCli(['compare', dir, source]);
    expect(compared.code).toBe(4);
    expect(compared.stdout).toContain('artifact registry: 1 artifact, 1 version, 1 alias, 2 run links only in A; 1 artifact, 2 versions, 3 aliases, 4 run links only in B; 1 version, 1 alias differ; project_metadata: 1 key only in B; 1 key differs');

    const merged = json(['merge', '-y', source, dir]);
    expect(merged.stderr).toBe('');
    expect(merged.code).toBe(4);
    expect(merged.doc.plan.conflicts.map((c: { what: string }) => c.what)).toEqual([
      '1 artifact_versions row differs',
      '1 artifact_aliases row differs',
      '1 run_artifact_links row held back: the version it points at does not come in',
      '1 project_metadata row differs',
    ]);
    expect(everything(source)).toEqual(source0);
    const db = new (loadSqlite())(join(dir, 'mnist.db'), { readonly: true });
    try {
      expect(db.pragma('foreign_key_check')).toEqual([]);
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      // B's alias `stable` of `dataset` v0 points at DIR's row of that version, whatever its id.
      const stable = db.prepare("SELECT v.version, a.name FROM artifact_aliases x JOIN artifact_versions v ON v.id = x.artifact_version_id JOIN artifacts a ON a.id = x.artifact_id AND a.id = v.artifact_id WHERE x.alias = 'stable'").raw(true).get();
      expect(stable).toEqual([0, 'dataset']);
    } finally {
      db.close();
    }
    const after = json(['compare', dir, source]).doc.projects[0].tables;
    expect([after.artifacts.onlyInB, after.artifact_versions.onlyInB, after.artifact_aliases.onlyInB, after.project_metadata.onlyInB]).toEqual([0, 0, 0, 0]);

    const settled = userView(dir);
    expect(runCli(['merge', '-y', source, dir]).code).toBe(4);
    expect(userView(dir)).toEqual(settled);
    expect(runCli(['undo', dir]).code).toBe(0);
    expect(userView(dir)).toEqual(before);
  });
});

describe('trackio-fsck merge B DIR (run-directory layout)', () => {
  it("a copy from before Trackio 0.24 (no run_id) merges into a current database: run_id is the run's name, as Trackio fills it; undo exact", () => {
    const root = tempDir();
    const b = join(root, 'old');
    const dir = join(root, 'dir');
    writeProject(b, 'p', { generation: 'v0.3', runs: 2, steps: 5 });
    writeProject(dir, 'p', { generation: 'current', runs: 1, steps: 5 });
    const before = userView(dir);
    const r = runCli(['merge', '-y', b, dir]);
    // run-0 is in both (its rows differ: kept in quarantine, exit 4); run-1 only in B comes in.
    expect(r.code, r.stdout + r.stderr).toBe(4);
    expect(r.stdout).toContain('5 metrics rows inserted');
    const d = new (loadSqlite())(join(dir, 'p.db'), { readonly: true });
    try {
      expect(d.prepare("SELECT DISTINCT run_id FROM metrics WHERE run_name = 'run-1'").pluck().all()).toEqual(['run-1']);
    } finally {
      d.close();
    }
    expect(runCli(['check', '--live-window', '0', dir]).code).toBe(0);
    expect(runCli(['undo', dir]).code).toBe(0);
    expect(userView(dir)).toEqual(before);
  });

  it('when nothing B has can come in, the plan says so instead of "nothing to bring"', () => {
    const root = tempDir();
    const b = join(root, 'new');
    const dir = join(root, 'old');
    // B's only run is one a database before 0.24 cannot hold as it is (its rows have run_id).
    writeProject(b, 'p', { generation: 'current', runs: 1, steps: 3, media: false, artifacts: false });
    withDbFile(join(b, 'p.db'), (db) => {
      for (const t of ['metrics', 'configs', 'system_metrics', 'alerts']) {
        if (db.prepare("SELECT 1 FROM sqlite_schema WHERE name = ?").get(t)) db.exec(`UPDATE "${t}" SET run_name = 'only-in-b', run_id = 'only-in-b'`);
      }
    });
    writeProject(dir, 'p', { generation: 'v0.3', runs: 1, steps: 3, media: false, artifacts: false });
    const r = runCli(['merge', '-n', b, dir]);
    expect(r.code, r.stdout + r.stderr).toBe(4);
    expect(r.stdout).not.toContain('Nothing to bring');
    expect(r.stdout).toContain('Nothing can be brought in');
    expect(r.stdout).toMatch(/left: the other copy's rows have columns this database lacks \(run_id/);
  });

  it('appends records after DIR last step, copies a run only B has, keeps conflicting files in quarantine; undo is exact', () => {
    const { a: local, b: offsite } = makeDivergentRunDirs(tempDir());
    const before = userView(local);
    const source = everything(offsite);
    const merged = json(['merge', '-y', offsite, local]);
    expect(merged.stderr).toBe('');
    expect(merged.code).toBe(4);
    const actions = merged.doc.plan.steps.map((s: { action: string; path: string }) => `${s.action} ${s.path.replace(/^runs\/[^/]+\//, '')}`);
    expect(actions.sort()).toEqual(['keep-theirs config.json', 'keep-theirs metrics.jsonl', `merge-file runs/${runId(3)}`, 'merge-rows metrics.jsonl']);
    expect(everything(offsite)).toEqual(source);
    // What B had and DIR lacked is there now: compare finds nothing only in B.
    const after = json(['compare', local, offsite]).doc;
    for (const r of after.runs) expect(r.metrics.onlyInB, r.run).toBe(0);
    expect(after.runs.find((r: { run: string }) => r.run === runId(3)).equal).toBe(true);
    expect(after.runs.find((r: { run: string }) => r.run === runId(2)).a.maxStep).toBe(20);
    // Run 1's changed record and config: DIR's stay, B's files are kept whole in quarantine.
    expect(readFileSync(join(local, 'runs', runId(1), 'config.json'))).toEqual(readFileSync(join(local, 'runs', runId(1), 'config.json')));
    const kept = quarantined(local).map((p) => p.replace(/^[^/]+\/theirs\//, ''));
    expect(kept.sort()).toEqual([`runs/${runId(1)}/config.json`, `runs/${runId(1)}/metrics.jsonl`]);

    const settled = userView(local);
    const again = runCli(['merge', '-y', offsite, local]);
    expect(again.code).toBe(4);
    expect(userView(local)).toEqual(settled);

    expect(runCli(['undo', local]).code).toBe(0);
    expect(userView(local)).toEqual(before);
  });

  it('the other way: a file only B has is copied into a run both have; records that would reorder are not appended', () => {
    const { a: local, b: offsite } = makeDivergentRunDirs(tempDir());
    const before = userView(offsite);
    const r = json(['merge', '-n', local, offsite]);
    expect(r.code).toBe(4);
    const steps = r.doc.plan.steps.map((s: { action: string; path: string }) => `${s.action} ${s.path}`);
    expect(steps.sort()).toEqual([`keep-theirs runs/${runId(1)}/config.json`, `keep-theirs runs/${runId(1)}/metrics.jsonl`, `merge-file runs/${runId(2)}`, `merge-rows runs/${runId(0)}/metrics.jsonl`]);
    expect(r.doc.plan.steps.find((s: { action: string }) => s.action === 'merge-file').copies.map((c: { path: string }) => c.path)).toEqual([`runs/${runId(2)}/logs/train.log`]);
    expect(userView(offsite)).toEqual(before);
    expect(runCli(['merge', '-y', local, offsite]).code).toBe(4);
    const runs = json(['compare', offsite, local]).doc.runs as Array<{ run: string; metrics: { onlyInB: number; differ: number } }>;
    expect(runs.filter((x) => x.metrics.onlyInB > 0)).toEqual([]);
    // Run 1's record of step 3 differs: DIR keeps its own, B's file is in quarantine.
    expect(runs.filter((x) => x.metrics.differ > 0).map((x) => x.run)).toEqual([runId(1)]);
  });

  it('records in step order after DIR last step: exit 1, the file as if the writer had gone on', () => {
    const local = makeDataDir(tempDir(), { runs: 1, steps: 5 });
    const copy = join(tempDir(), '.trackio');
    cpSync(local, copy, { recursive: true, preserveTimestamps: true });
    for (const step of [5, 6, 7]) appendFileSync(join(copy, 'runs', runId(0), 'metrics.jsonl'), metricsRecord(step) + '\n');
    expect(runCli(['merge', '-y', copy, local]).code).toBe(1);
    expect(readFileSync(join(local, 'runs', runId(0), 'metrics.jsonl'))).toEqual(readFileSync(join(copy, 'runs', runId(0), 'metrics.jsonl')));
    expect(runCli(['merge', '-y', copy, local]).code).toBe(0);
    expect(readdirSync(local).includes('quarantine')).toBe(false);
  });
});

describe('trackio-fsck merge: refusals', () => {
  it("DIR's live project (flock on <project>.lock) is left alone without --force, merged with it", async () => {
    const { a: local, b: offsite } = makeDivergentTrackioDirs(tempDir());
    const lock = await holdProjectLock(offsite, 'mnist');
    try {
      const before = snapshot(join(offsite, 'media'));
      const r = runCli(['merge', '-y', local, offsite]);
      expect(r.code, r.stdout + r.stderr).toBe(4);
      expect(r.stdout).toMatch(/Live, not touched: mnist: flock on mnist.lock held by pid/);
      expect(snapshot(join(offsite, 'media'))).toEqual(before);
      expect(readFileSync(join(offsite, 'cifar.db')).length).toBeGreaterThan(0);
      const forced = runCli(['merge', '-y', '--force', local, offsite]);
      expect(forced.code, forced.stdout + forced.stderr).toBe(4);
      expect(forced.stdout).toContain('brought  mnist.db: 3 metrics, 1 alerts rows inserted');
    } finally {
      await lock.release();
    }
  });

  it('B missing or not a data dir, layouts that differ: exit 8; B the data dir itself or no B: exit 16', () => {
    const sqlite = makeTrackioDir(tempDir(), { projects: [['mnist', 'current']] });
    const runs = makeDataDir(tempDir(), { runs: 1, steps: 2 });
    const missing = runCli(['merge', '-y', join(tempDir(), 'nope'), sqlite]);
    expect(missing.code).toBe(8);
    expect(missing.stderr).toMatch(/^trackio-fsck: no such directory: .*nope\n$/);
    expect(runCli(['merge', '-y', tempDir(), sqlite]).code).toBe(8);
    const differ = runCli(['merge', '-y', runs, sqlite]);
    expect(differ.code).toBe(8);
    expect(differ.stderr).toContain('cannot merge a run-directory data dir');
    expect(runCli(['merge', '-y', sqlite, sqlite]).code).toBe(16);
    expect(runCli(['merge']).code).toBe(16);
  });

  it('a repair left halfway in DIR is finished by repair (or undone) first: merge changes nothing (exit 8)', () => {
    const { a: local, b: offsite } = makeDivergentRunDirs(tempDir());
    damage.truncateMidLine(local, runId(0));
    const killed = spawnSync(process.execPath, [BIN, 'repair', '-y', local], { env: { ...process.env, TRACKIO_DIR: '', TRACKIO_FSCK_FAULT: 'journal-saved' }, encoding: 'utf8' });
    expect(killed.signal).toBe('SIGKILL');
    const before = userView(local);
    const r = runCli(['merge', '-y', offsite, local]);
    expect(r.code).toBe(8);
    expect(r.stderr).toMatch(/^trackio-fsck: repair -y .* was interrupted and must be finished or undone first: run trackio-fsck repair -y .*; nothing was changed\n$/);
    expect(userView(local)).toEqual(before);
  });
});

// python3's pty module gives the CLI a real terminal, as `repair` is tested on one.
describe.runIf(hasPython)('trackio-fsck merge on a terminal (no -y, no -n)', () => {
  it('asks step by step: q cancels with exit 32 and nothing changed; the steps answered yes are applied', () => {
    const { a: local, b: offsite } = makeDivergentRunDirs(tempDir());
    const before = userView(local);
    const quit = onTerminal(['y', 'q'], ['merge', offsite, local]);
    expect(quit.stdout).toContain('Step 1/4? [y]es [n]o [a]ll [q]uit: ');
    expect(quit.stdout).toContain('Cancelled: nothing was changed.');
    expect(quit.code).toBe(32);
    expect(userView(local)).toEqual(before);
    // Only the append to run 2 (step 3): the new run stays out, so something is left to bring (exit 4).
    const some = onTerminal(['n', 'n', 'y', 'n'], ['merge', offsite, local]);
    expect(some.code, some.stdout).toBe(4);
    expect(some.stdout).toContain(`brought  runs/${runId(2)}/metrics.jsonl`);
    expect(some.stdout).toContain('Still to bring: 1 step');
    expect(readdirSync(join(local, 'runs'))).not.toContain(runId(3));
  });
});
