import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { trackioDamage, writeProject } from '../../fixtures/build/trackioDb.mjs';
import { killAtEveryPoint } from '../helpers/faults.js';
import { check, undoRepair } from '../../src/index.js';
import { addLogIds, trackioOperations } from '../../fixtures/build/trackioOperations.mjs';
import { databaseDigest, loadSqlite } from '../helpers/internals.js';
import { runCli, tempDir } from '../helpers/cli.js';
import { copyToTemp, copyTree, snapshot } from '../helpers/repairTree.js';

const own = (p: string) => p.startsWith('.trackio-fsck');

function rows(db: string, sql: string): unknown[][] {
  const d = new (loadSqlite())(db, { readonly: true, fileMustExist: true });
  try {
    return d.prepare(sql).raw(true).all() as unknown[][];
  } finally {
    d.close();
  }
}

/**
 * A data dir where Trackio's rename re-inserted rows without log_id and a replay brought the
 * originals back, in each schema generation and shape, beside rows that only look alike:
 * - mnist (0.30+, run_id): run-1 renamed, steps 1-3 replayed, step 2 with its keys in another order;
 *   run-0's step 3 (NaN loss) renamed and replayed whole with the rest of run-0;
 * - cifar (pre-0.24, keyed by run_name): run-0 renamed, every step replayed;
 * - mixed (0.30+): nothing replayed, but the same step logged twice with other metrics, the same
 *   values logged twice with two log_ids, and a partial copy: none of them duplicates.
 * Returns the data dir and the duplicates per project.
 */
function dirWithDuplicates(): { dataDir: string; expected: Record<string, number>; total: Record<string, number> } {
  const dataDir = join(tempDir(), 'trackio');
  writeProject(dataDir, 'mnist', { generation: 'current', runs: 2, steps: 5, nanStep: 3 });
  writeProject(dataDir, 'cifar', { generation: 'pre-0.24', runs: 2, steps: 5 });
  writeProject(dataDir, 'mixed', { generation: 'current', runs: 1, steps: 4, media: false, artifacts: false });
  for (const p of ['mnist', 'cifar', 'mixed']) addLogIds(dataDir, p);
  const expected = {
    mnist: trackioOperations.renameAndReplay(dataDir, 'mnist', 'run-1', { steps: [1, 2, 3], reorder: [2] }) + trackioOperations.renameAndReplay(dataDir, 'mnist', 'run-0'),
    cifar: trackioOperations.renameAndReplay(dataDir, 'cifar', 'run-0'),
    mixed: 0,
  };
  const d = new (loadSqlite())(join(dataDir, 'mixed.db'));
  try {
    const copy = (set: string) => d.exec(`INSERT INTO metrics (run_id, timestamp, run_name, step, metrics, log_id) SELECT run_id, timestamp, run_name, step, ${set} FROM metrics WHERE id = 3`); // run-0, step 2
    copy(`CAST('{"loss":0.01}' AS BLOB), '${'a'.repeat(32)}'`);
    copy(`metrics, '${'b'.repeat(32)}'`);
    copy(`CAST('{"loss":0.75}' AS BLOB), NULL`);
  } finally {
    d.close();
  }
  const total = Object.fromEntries(['mnist', 'cifar', 'mixed'].map((p) => [p, rows(join(dataDir, `${p}.db`), 'SELECT count(*) FROM metrics')[0]![0] as number]));
  return { dataDir, expected, total };
}

function duplicatesFound(dataDir: string): Record<string, number> {
  const r = runCli(['check', '--json', dataDir]);
  const out: Record<string, number> = {};
  for (const f of JSON.parse(r.stdout).findings as Array<{ code: string; path: string; more?: number }>) {
    expect(f.code).toBe('trackio/duplicate-rows');
    out[f.path.replace(/\.db$/, '')] = (out[f.path.replace(/\.db$/, '')] ?? 0) + 1 + (f.more ?? 0);
  }
  return out;
}

describe("trackio/duplicate-rows end to end: check, repair / recover, check, undo", () => {
  it('rename + replay in every generation: reported, quarantined by repair -y, clean after, undo gives the exact bytes back', () => {
    const { dataDir, expected, total } = dirWithDuplicates();
    expect(expected).toEqual({ mnist: 8, cifar: 5, mixed: 0 });
    expect(duplicatesFound(dataDir)).toEqual({ mnist: 8, cifar: 5 });
    const before = snapshot(dataDir);

    const dry = runCli(['repair', '-n', dataDir]);
    expect(dry.code).toBe(4);
    expect(dry.stdout).toMatch(/\d+\s+safe\s+quarantine-duplicate-rows cifar\.db/);
    expect(snapshot(dataDir)).toEqual(before);

    const r = runCli(['repair', '-y', dataDir]);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toContain('clean: 0 errors');
    const q = join(dataDir, 'quarantine', readdirSync(join(dataDir, 'quarantine'))[0]!);
    for (const [project, n] of Object.entries(expected)) {
      const left = rows(join(dataDir, `${project}.db`), 'SELECT count(*) FROM metrics')[0]![0];
      expect(left, project).toBe(total[project]! - n);
      if (n === 0) continue;
      const lines = readFileSync(join(q, `${project}.db.rows.jsonl`), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
      expect(lines, project).toHaveLength(n);
      for (const l of lines) {
        // The copy taken out had no log_id; the row it repeats is still there, with one.
        expect(l).toMatchObject({ table: 'metrics', row: { log_id: null } });
        expect(rows(join(dataDir, `${project}.db`), `SELECT count(*) FROM metrics WHERE id = ${l.duplicateOf} AND log_id IS NOT NULL`)[0]![0]).toBe(1);
      }
    }
    // Every (run, step) still has its rows with log_ids; the look-alikes of mixed are all kept.
    expect(rows(join(dataDir, 'mnist.db'), 'SELECT count(*) FROM metrics WHERE log_id IS NULL')).toEqual([[2]]); // run-1 steps 0 and 4 were not replayed
    expect(rows(join(dataDir, 'mixed.db'), 'SELECT count(*) FROM metrics WHERE step = 2')).toEqual([[4]]);
    expect(duplicatesFound(dataDir)).toEqual({});

    const u = runCli(['undo', dataDir]);
    expect(u.code, u.stdout + u.stderr).toBe(0);
    expect(snapshot(dataDir, own)).toEqual(Object.fromEntries(Object.entries(before).filter(([p]) => !own(p))));
  });

  it('recover applies it (a safe fix); a second recover finds nothing to do', () => {
    const { dataDir, expected, total } = dirWithDuplicates();
    const copy = join(tempDir(), 'copy');
    copyTree(dataDir, copy);
    const r = runCli(['recover', copy]);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    for (const p of ['mnist', 'cifar']) expect(rows(join(copy, `${p}.db`), 'SELECT count(*) FROM metrics')[0]![0]).toBe(total[p]! - expected[p]!);
    expect(runCli(['recover', copy]).code).toBe(0);
    expect(runCli(['repair', '-p', dataDir]).code).toBe(1);
  });
});

describe('duplicate rows and bad JSON rows of one database, killed at any durable point (SIGKILL)', () => {
  it('one rows file for both: finished by `repair` to the same rows, or undone by `undo` to the exact bytes', async () => {
    const template = join(tempDir(), 'trackio');
    writeProject(template, 'p', { generation: 'current', runs: 2, steps: 10, media: false, artifacts: false });
    addLogIds(template, 'p');
    const duplicates = trackioOperations.renameAndReplay(template, 'p', 'run-1', { steps: [3, 4, 5] });
    trackioDamage.invalidJsonCell(template, 'p', 2);
    const original = snapshot(template, own);
    const copyOf = copyToTemp;
    const reference = copyOf(template);
    expect(runCli(['repair', '-y', reference]).code).toBe(1);
    const q = join(reference, 'quarantine', readdirSync(join(reference, 'quarantine'))[0]!);
    const lines = readFileSync(join(q, 'p.db.rows.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    // The bad row first, then the second copies, each once, in one file written before any delete.
    expect(lines.map((l) => [l.rowid, l.duplicateOf !== undefined])).toEqual([[2, false], ...lines.slice(1).map((l) => [l.rowid, true])]);
    expect(lines).toHaveLength(1 + duplicates);
    const repaired = await databaseDigest(join(reference, 'p.db'));

    const points = await killAtEveryPoint(() => copyOf(template), (d) => ['repair', '-y', d], 1, async (dataDir, n) => {
      const killed = copyOf(dataDir);
      const resumed = runCli(['repair', '-y', dataDir]);
      expect([0, 1], `resume after point ${n}: ${resumed.stdout}${resumed.stderr}`).toContain(resumed.code);
      expect((await databaseDigest(join(dataDir, 'p.db'))).sha256, `rows after resuming from point ${n}`).toBe(repaired.sha256);
      expect((await check(dataDir)).report.findings.filter((f) => f.severity !== 'info')).toEqual([]);
      const undone = n % 2 === 1 ? runCli(['undo', killed]).code : (await undoRepair(killed, { command: 'test' })) && 0;
      expect(undone, `undo after point ${n}`).toBe(0);
      expect(snapshot(killed, own), `exact bytes after undo from point ${n}`).toEqual(original);
    }, 60);
    expect(points).toBeGreaterThan(4);
  }, 180_000);
});
