import { readFileSync } from 'node:fs';
import { undoRepair } from '../../src/index.js';
import { killAtEveryPoint } from '../helpers/faults.js';
import { copyToTemp, snapshot } from '../helpers/repairTree.js';
import { databaseDigest } from '../helpers/internals.js';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeTrackioDir, writeProject, withDbFile } from '../../fixtures/build/trackioDb.mjs';
import { trackioOperations } from '../../fixtures/build/trackioOperations.mjs';
import { loadSqlite } from '../helpers/internals.js';

const own = (p: string) => p.startsWith('.trackio-fsck');
import { runCli, tempDir } from '../helpers/cli.js';

// Trackio 0.3.x/0.4.x wrote bare NaN/Infinity (json.dumps); Trackio 0.5+ reads with orjson and
// raises on them (seen with 0.36 on a 0.3.2 database). repair -y quotes the tokens and nothing else;
// undo gives the exact bytes back. Both as 0.3.x left the database and as 0.36 leaves it after
// logging to it (new tables, log_id column, WAL).
function cells(db: string): Array<[number, string]> {
  const d = new (loadSqlite())(db, { readonly: true, fileMustExist: true });
  try {
    return d.prepare('SELECT rowid, CAST(metrics AS TEXT) FROM metrics ORDER BY rowid').raw(true).all() as Array<[number, string]>;
  } finally {
    d.close();
  }
}

describe('sqlite/nonfinite-number: repair -y quotes bare tokens, undo restores', () => {
  for (const upgraded of [false, true]) {
    it(upgraded ? 'a 0.3.x database Trackio 0.36 has since logged to' : 'a 0.3.x database as it wrote it', () => {
      const dataDir = makeTrackioDir(tempDir(), { projects: [] });
      writeProject(dataDir, 'old', { generation: 'v0.3', nanStep: 2 });
      const db = join(dataDir, 'old.db');
      // Infinity and -Infinity too, and a string that only looks like a token.
      withDbFile(db, (d) => d.prepare("INSERT INTO metrics (timestamp, run_name, step, metrics) VALUES ('2026-01-01T10:31:00.123456', 'run-9', 0, ?)").run('{"loss": Infinity, "grad": -Infinity, "note": "NaN seen", "xs": [NaN, 1.0]}'));
      if (upgraded) trackioOperations.openedBy036(dataDir, 'old');
      const before = cells(db);
      const bytes = readFileSync(db);

      const found = JSON.parse(runCli(['check', dataDir, '--json']).stdout).findings.filter((f: { code: string }) => f.code === 'sqlite/nonfinite-number');
      expect(found.map((f: { rowId: number; fix: { action: string } }) => [f.rowId, f.fix.action])).toEqual([[3, 'rewrite-nonfinite-cells'], [8, 'rewrite-nonfinite-cells'], [11, 'rewrite-nonfinite-cells']]);

      const dry = runCli(['repair', '-n', dataDir]);
      expect(dry.code).toBe(4);
      expect(dry.stdout).toContain('rewrite-nonfinite-cells');
      expect(readFileSync(db).equals(bytes)).toBe(true);

      const fixed = runCli(['repair', '-y', dataDir]);
      expect(fixed.code, fixed.stdout + fixed.stderr).toBe(1);
      expect(fixed.stdout).toContain('rewrote');
      const after = cells(db);
      // Only the three cells changed, and only by the quotes around each token.
      const expected = before.map(([id, text]) => [id, id === 3 || id === 8 ? text.replace('NaN', '"NaN"') : id === 11 ? '{"loss": "Infinity", "grad": "-Infinity", "note": "NaN seen", "xs": ["NaN", 1.0]}' : text]);
      expect(after).toEqual(expected);
      for (const [, text] of after) expect(() => JSON.parse(text)).not.toThrow();
      expect(JSON.parse(runCli(['check', dataDir, '--json']).stdout).findings).toEqual([]);

      const undone = runCli(['undo', dataDir]);
      expect(undone.code, undone.stdout + undone.stderr).toBe(0);
      expect(readFileSync(db).equals(bytes)).toBe(true);
    });
  }
});

describe('the nonfinite rewrite killed at any durable point (SIGKILL)', () => {
  it('finished by `repair` to the same cells, or undone by `undo` to the exact bytes', async () => {
    const template = makeTrackioDir(tempDir(), { projects: [] });
    writeProject(template, 'old', { generation: 'v0.3', nanStep: 1, steps: 6 });
    trackioOperations.openedBy036(template, 'old');
    const original = snapshot(template, own);
    const reference = copyToTemp(template);
    expect(runCli(['repair', '-y', reference]).code).toBe(1);
    const repaired = await databaseDigest(join(reference, 'old.db'));
    const points = await killAtEveryPoint(() => copyToTemp(template), (d) => ['repair', '-y', d], 1, async (dataDir, n) => {
      const killed = copyToTemp(dataDir);
      const resumed = runCli(['repair', '-y', dataDir]);
      expect([0, 1], `resume after point ${n}: ${resumed.stdout}${resumed.stderr}`).toContain(resumed.code);
      expect((await databaseDigest(join(dataDir, 'old.db'))).sha256, `cells after resuming from point ${n}`).toBe(repaired.sha256);
      const undone = n % 2 === 1 ? runCli(['undo', killed]).code : (await undoRepair(killed, { command: 'test' })) && 0;
      expect(undone, `undo after point ${n}`).toBe(0);
      expect(snapshot(killed, own), `exact bytes after undo from point ${n}`).toEqual(original);
    }, 60);
    expect(points).toBeGreaterThan(3);
  }, 180_000);
});
