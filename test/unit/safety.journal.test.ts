// Issue 11 case 1: a hand-edited repair journal never makes undo or a resumed repair touch a user's file.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { damage, makeDataDir, runId } from '../../fixtures/build/dataDir.mjs';
import { makeTrackioDir, trackioDamage } from '../../fixtures/build/trackioDb.mjs';
import { FsckError, planRepair, undoRepair, type Journal } from '../../src/index.js';
import { journalPath } from '../helpers/internals.js';
import { applyPlan, listJournals, resumeRepair } from '../helpers/internals.js';
import { tempDir } from '../helpers/cli.js';
import { copyTree, snapshot } from '../helpers/repairTree.js';

/** A finished repair with one op of each kind: rewrite, rewrite that quarantines lines, move, database. */
async function repairedTemplates(): Promise<Array<{ dataDir: string; journal: Journal }>> {
  const runs = makeDataDir(tempDir(), { runs: 3, steps: 6 });
  damage.truncateMidLine(runs, runId(0));
  damage.invalidLineInMiddle(runs, runId(1), 2);
  damage.cutJson(runs, runId(2), 'config.json', 10);
  const sqlite = makeTrackioDir(tempDir(), { projects: [['mnist', 'current']] });
  trackioDamage.invalidJsonCell(sqlite, 'mnist');
  const out = [];
  for (const dataDir of [runs, sqlite]) {
    const plan = await planRepair(dataDir, {});
    const outcome = await applyPlan(plan, plan.steps.map((s) => s.id), { command: 'test' });
    out.push({ dataDir, journal: outcome!.journal });
  }
  return out;
}

/** Files a user owns: in the data dir, outside it, and in another repair's quarantine folder. */
function plantVictims(dataDir: string, firstRun: string): { rel: string[]; abs: string[] } {
  const inData = `${firstRun}/notes.txt`;
  mkdirSync(join(dataDir, firstRun), { recursive: true });
  writeFileSync(join(dataDir, inData), 'months of notes\n');
  const other = 'quarantine/2001-01-01T00-00-00-000Z/runs/x/metrics.jsonl.bad-lines';
  mkdirSync(join(dataDir, other, '..'), { recursive: true });
  writeFileSync(join(dataDir, other), 'another repair kept these\n');
  const outside = join(dataDir, '..', 'outside.txt');
  writeFileSync(outside, 'not yours\n');
  return { rel: [inData, other, '../outside.txt', outside], abs: [join(dataDir, inData), join(dataDir, other), outside] };
}

type Edit = (j: Journal, value: string) => void;

/** Every path field of every op kind a journal holds, each a way to name a file undo or repair will write or delete. */
function edits(j: Journal): Array<[string, Edit]> {
  const out: Array<[string, Edit]> = [];
  j.ops.forEach((op, i) => {
    const tag = `op ${i} (${op.kind}${op.quarantine && op.kind === 'rewrite' ? ', quarantine' : ''})`;
    out.push([`${tag} temp`, (jj, v) => void (jj.ops[i]!.temp = v)]);
    out.push([`${tag} quarantineTemp`, (jj, v) => void (jj.ops[i]!.quarantineTemp = v)]);
    out.push([`${tag} quarantine`, (jj, v) => void (jj.ops[i]!.quarantine = v)]);
    out.push([`${tag} creates (added)`, (jj, v) => void jj.ops[i]!.creates.push(v)]);
    op.creates.forEach((_, k) => out.push([`${tag} creates[${k}]`, (jj, v) => void (jj.ops[i]!.creates[k] = v)]));
    if (op.database) {
      out.push([`${tag} rowsFile`, (jj, v) => void (jj.ops[i]!.database!.rowsFile = v)]);
      out.push([`${tag} original`, (jj, v) => void (jj.ops[i]!.database!.original = v)]);
      op.database.sidecars.forEach((_, k) => out.push([`${tag} sidecar quarantine`, (jj, v) => void (jj.ops[i]!.database!.sidecars[k]!.quarantine = v)]));
    }
  });
  j.files.forEach((_, k) => out.push([`files[${k}].backup`, (jj, v) => void (jj.files[k]!.backup = v)]));
  out.push(['quarantineDir', (jj) => void (jj.quarantineDir = 'quarantine/2001-01-01T00-00-00-000Z')]);
  out.push(['backupDir', (jj, v) => void (jj.backupDir = v.startsWith('/') ? v : '/tmp')]);
  return out;
}

async function refused(p: Promise<unknown>): Promise<void> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err, 'the edited journal was acted on').toBeInstanceOf(FsckError);
  expect((err as FsckError).exitCode).toBe(8);
}

describe('a repair journal edited to name a user file', () => {
  it('is refused by undo and by a resumed repair (exit 8), and every user file keeps its bytes', async () => {
    let cases = 0;
    for (const { dataDir, journal } of await repairedTemplates()) {
      const firstRun = journal.ops[0]!.path.split('/').slice(0, 2).join('/');
      for (const [field, edit] of edits(journal)) {
        // 'applying': both undo and a resumed repair read it; a complete journal is read the same way.
        for (const status of ['applying'] as const) {
          const victims = plantVictims(dataDir, firstRun.includes('/') ? firstRun : 'runs/user');
          for (const value of victims.rel) {
            const j: Journal = JSON.parse(JSON.stringify(journal));
            j.status = status;
            if (status === 'applying') for (const op of j.ops) op.state = 'prepared';
            edit(j, value);
            writeFileSync(journalPath(dataDir, j.id), JSON.stringify(j));
            const before = snapshot(dataDir);
            const outside = readFileSync(victims.abs[2]!, 'utf8');
            await refused(listJournals(dataDir));
            await refused(undoRepair(dataDir, { command: 'test' }));
            if (status === 'applying') await refused(resumeRepair(dataDir, { command: 'test' }));
            expect(snapshot(dataDir), `${field} = ${value}`).toEqual(before);
            expect(readFileSync(victims.abs[2]!, 'utf8')).toBe(outside);
            cases++;
          }
        }
      }
      // The journal as the repair wrote it is still accepted: undo works.
      writeFileSync(journalPath(dataDir, journal.id), JSON.stringify(journal));
      expect((await undoRepair(dataDir, { command: 'test' }))?.conflicts).toEqual([]);
    }
    expect(cases).toBeGreaterThan(60);
  }, 120_000);
});
