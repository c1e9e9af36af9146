import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { damage, makeDataDir, runId } from '../../fixtures/build/dataDir.mjs';
import { check, planRepair, undoRepair, type Journal } from '../../src/index.js';
import { applyPlan, verifyRepair } from '../helpers/internals.js';
import { tempDir } from '../helpers/cli.js';
import { applyEditsInMemory, snapshot } from '../helpers/repairTree.js';

const RUN = runId(0);
type Damage = (dataDir: string) => unknown;

/** Damages, plans, applies every fix, checks again; returns what a test needs to look at. */
async function repairAll(make: Damage, runs = 2, steps = 6) {
  const dataDir = makeDataDir(tempDir(), { runs, steps });
  make(dataDir);
  const before = snapshot(dataDir);
  const originals = new Map(Object.keys(before).filter((p) => before[p] !== 'dir').map((p) => [p, readFileSync(join(dataDir, p))]));
  const plan = await planRepair(dataDir);
  const outcome = await applyPlan(plan, plan.steps.map((s) => s.id), { command: 'test' });
  const verification = await verifyRepair(dataDir, outcome?.journal);
  return { dataDir, before, originals, plan, journal: outcome!.journal, verification };
}

/** Every byte a repair removed is somewhere: the backup holds each changed file exactly as it was. */
function expectEveryByteKept(dataDir: string, journal: Journal, originals: Map<string, Buffer>) {
  for (const f of journal.files) {
    const copy = readFileSync(join(journal.backupDir, f.backup));
    expect(copy.equals(originals.get(f.path)!), `backup of ${f.path}`).toBe(true);
  }
  for (const op of journal.ops) {
    const original = originals.get(op.path)!;
    if (op.kind === 'move') {
      expect(existsSync(join(dataDir, op.path))).toBe(false);
      expect(readFileSync(join(dataDir, op.quarantine!)).equals(original)).toBe(true);
      const why = JSON.parse(readFileSync(join(dataDir, op.quarantine! + '.why.json'), 'utf8'));
      expect(why).toMatchObject({ originalPath: op.path, originalSha256: op.pre!.sha256 });
      expect(why.findings.length).toBeGreaterThan(0);
      continue;
    }
    // The repaired file and the quarantined lines are exactly what an independent reading of the edits gives.
    const oracle = applyEditsInMemory(original, op.edits!);
    expect(readFileSync(join(dataDir, op.path)).equals(oracle.out), `repaired ${op.path}`).toBe(true);
    if (op.quarantine) {
      expect(readFileSync(join(dataDir, op.quarantine)).equals(oracle.quarantined)).toBe(true);
      const why = JSON.parse(readFileSync(join(dataDir, op.quarantine + '.why.json'), 'utf8'));
      let at = 0;
      for (const l of why.lines) {
        // each quarantined line, at its recorded offset in the original, is the next slice of the quarantine file
        expect(original.subarray(l.offset, l.offset + l.bytes).equals(oracle.quarantined.subarray(at, at + l.bytes))).toBe(true);
        expect(l.findings.length).toBeGreaterThan(0);
        at += l.bytes;
      }
      expect(at).toBe(oracle.quarantined.length);
    } else {
      expect(oracle.quarantined.length).toBe(0);
    }
  }
}

const repairable: Array<[string, Damage, string[]]> = [
  ['jsonl/truncated-tail', (d) => damage.truncateMidLine(d, RUN), ['trim-last-line']],
  ['jsonl/nul-bytes (NUL tail)', (d) => damage.appendNulTail(d, RUN), ['trim-last-line']],
  ['jsonl/nul-bytes (record after NULs, kept)', (d) => damage.nulsThenRecord(d, RUN), ['strip-nul-bytes']],
  ['jsonl/nul-bytes (record after NULs, no newline)', (d) => damage.nulsThenRecordNoNewline(d, RUN), ['strip-nul-bytes', 'append-final-newline']],
  ['jsonl/nul-bytes (hole in the middle)', (d) => damage.nulHoleInMiddle(d, RUN, 3), ['strip-nul-bytes']],
  ['jsonl/missing-final-newline', (d) => damage.removeFinalNewline(d, RUN), ['append-final-newline']],
  ['jsonl/invalid-line', (d) => damage.invalidLineInMiddle(d, RUN, 3), ['quarantine-lines']],
  ['jsonl/schema', (d) => damage.schemaViolation(d, RUN, 4), ['quarantine-lines']],
  ['jsonl/blank-line', (d) => damage.blankLine(d, RUN, 2), ['quarantine-lines']],
  ['encoding/invalid-utf8', (d) => damage.invalidUtf8Line(d, RUN, 2), ['quarantine-lines']],
  ['json/invalid (cut short)', (d) => damage.cutJson(d, RUN, 'config.json', 10), ['quarantine-file']],
  ['json/invalid (empty)', (d) => damage.emptyJson(d, RUN, 'summary.json'), ['quarantine-file']],
  ['json/schema', (d) => damage.jsonWrongShape(d, RUN, 'config.json'), ['quarantine-file']],
  ['fs/leftover-temp', (d) => damage.leftoverTemp(d, RUN), ['quarantine-file']],
  [
    'several in one file: bad lines, a NUL hole and a cut tail',
    (d) => {
      damage.invalidLineInMiddle(d, RUN, 2);
      damage.schemaViolation(d, RUN, 4);
      damage.nulHoleInMiddle(d, RUN, 5);
      damage.truncateMidLine(d, RUN);
    },
    ['quarantine-lines', 'strip-nul-bytes', 'trim-last-line'],
  ],
];

describe('repair: every repairable code is mended, and the second check is clean', () => {
  for (const [name, make, actions] of repairable) {
    it(name, async () => {
      const { dataDir, originals, plan, journal, verification } = await repairAll(make);
      expect(plan.steps.map((s) => s.action)).toEqual(actions);
      expect(plan.left).toEqual([]);
      expect(journal.status).toBe('complete');
      expect(verification.remaining).toEqual([]);
      expect(verification.unmended).toEqual([]);
      expect(verification.exitCode).toBe(1);
      expectEveryByteKept(dataDir, journal, originals);
    });
  }

  it('records written after a NUL run survive the repair', async () => {
    const { dataDir } = await repairAll((d) => damage.nulsThenRecordNoNewline(d, RUN));
    const lines = readFileSync(join(dataDir, 'runs', RUN, 'metrics.jsonl'), 'utf8').split('\n');
    expect(lines.pop()).toBe('');
    expect(lines.map((l) => JSON.parse(l).step)).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });

  it('mends every bad line, not only the first 20 that check lists', async () => {
    const { dataDir, plan, verification } = await repairAll(
      (d) => {
        for (let line = 2; line <= 31; line++) damage.blankLine(d, RUN, line);
      },
      1,
      40,
    );
    expect(plan.check.findings.filter((f) => f.code === 'jsonl/blank-line')).toMatchObject([...Array(19).fill({}), { more: 10 }]);
    expect(plan.steps).toHaveLength(1);
    expect(plan.steps[0]!.edits).toHaveLength(30);
    expect(verification.remaining).toEqual([]);
    expect(readFileSync(join(dataDir, 'runs', RUN, 'metrics.jsonl'), 'utf8').split('\n').filter(Boolean)).toHaveLength(10);
  });

  it('keeps the mtime of a rewritten file, so a crashed run does not turn live', async () => {
    const { dataDir, originals } = await repairAll((d) => damage.truncateMidLine(d, RUN));
    expect(originals.size).toBeGreaterThan(0);
    const { runs } = await check(dataDir);
    expect(runs.every((r) => !r.live)).toBe(true);
  });

  it('check does not scan quarantine/ nor .trackio-fsck/ (they hold damaged bytes on purpose)', async () => {
    const { dataDir } = await repairAll((d) => {
      damage.cutJson(d, RUN, 'config.json', 10);
      damage.invalidLineInMiddle(d, RUN, 3);
    });
    expect(existsSync(join(dataDir, 'quarantine'))).toBe(true);
    expect(existsSync(join(dataDir, '.trackio-fsck'))).toBe(true);
    const { report } = await check(dataDir);
    expect(report.findings.filter((f) => f.severity !== 'info').map((f) => f.code)).toEqual(['run/missing-file']);
    expect(report.exitCode).toBe(0);
  });

  it('undo after a complete repair restores every byte and removes the quarantine', async () => {
    const { dataDir, before } = await repairAll((d) => {
      damage.cutJson(d, RUN, 'summary.json', 5);
      damage.invalidLineInMiddle(d, RUN, 3);
      damage.nulsThenRecordNoNewline(d, runId(1));
    });
    const undone = await undoRepair(dataDir, { command: 'test' });
    expect(undone!.conflicts).toEqual([]);
    expect(undone!.restored).toEqual([`runs/${runId(1)}/metrics.jsonl`, `runs/${RUN}/metrics.jsonl`]);
    expect(undone!.movedBack).toEqual([`runs/${RUN}/summary.json`]);
    expect(snapshot(dataDir, (p) => p.startsWith('.trackio-fsck'))).toEqual(before);
  });
});

describe('repair: plans only what it may', () => {
  it('preen applies the fixes that lose nothing and leaves the rest (exit 4)', async () => {
    const dataDir = makeDataDir(tempDir(), { runs: 1, steps: 6 });
    damage.invalidLineInMiddle(dataDir, RUN, 3);
    damage.truncateMidLine(dataDir, RUN);
    const plan = await planRepair(dataDir);
    expect(plan.steps.map((s) => [s.action, s.safe])).toEqual([
      ['quarantine-lines', false],
      ['trim-last-line', true],
    ]);
    const outcome = await applyPlan(plan, plan.steps.filter((s) => s.safe).map((s) => s.id), { command: 'test -p' });
    const v = await verifyRepair(dataDir, outcome!.journal);
    expect(v.exitCode).toBe(4);
    expect(v.remaining.map((f) => f.code)).toEqual(['jsonl/invalid-line']);
    expect(v.unmended).toEqual([]);
  });

  it('leaves a file reached through a symbolic link alone', async () => {
    const { symlinkSync, renameSync } = await import('node:fs');
    const dataDir = makeDataDir(tempDir(), { runs: 1, steps: 6 });
    damage.truncateMidLine(dataDir, RUN);
    const real = join(dataDir, 'elsewhere.jsonl');
    renameSync(join(dataDir, 'runs', RUN, 'metrics.jsonl'), real);
    symlinkSync('../../elsewhere.jsonl', join(dataDir, 'runs', RUN, 'metrics.jsonl'));
    const bytes = readFileSync(real);
    const plan = await planRepair(dataDir);
    expect(plan.steps).toEqual([]);
    expect(plan.left.map((l) => [l.finding.code, l.reason])).toEqual([['jsonl/truncated-tail', expect.stringContaining('symbolic link')]]);
    expect(readFileSync(real).equals(bytes)).toBe(true);
  });

  it('a fix provider (issue 5) can replace a file with a verified copy, and undo puts the damaged one back', async () => {
    const { writeFileSync } = await import('node:fs');
    const { createHash } = await import('node:crypto');
    const dataDir = makeDataDir(tempDir(), { runs: 1, steps: 6 });
    const good = readFileSync(join(dataDir, 'runs', RUN, 'config.json'));
    const copy = join(tempDir(), 'config.json');
    writeFileSync(copy, good);
    damage.cutJson(dataDir, RUN, 'config.json', 10);
    const before = snapshot(dataDir);
    const sha256 = createHash('sha256').update(good).digest('hex');
    const plan = await planRepair(dataDir, {
      providers: [
        async (f) => {
          if (f.path !== `runs/${RUN}/config.json`) return undefined;
          const cur = readFileSync(join(dataDir, f.path));
          return {
            action: 'restore-from-backup',
            safe: true,
            run: f.run,
            path: f.path,
            description: 'restore from the test backup',
            findings: [f],
            edits: [],
            pre: { sha256: createHash('sha256').update(cur).digest('hex'), size: cur.length },
            source: { path: copy, sha256, size: good.length, label: 'test backup' },
          };
        },
      ],
    });
    expect(plan.steps.map((s) => s.action)).toEqual(['restore-from-backup']);
    const outcome = await applyPlan(plan, [1], { command: 'test' });
    expect(readFileSync(join(dataDir, 'runs', RUN, 'config.json')).equals(good)).toBe(true);
    expect((await verifyRepair(dataDir, outcome!.journal)).exitCode).toBe(1);
    await undoRepair(dataDir, { command: 'test' });
    expect(snapshot(dataDir, (p) => p.startsWith('.trackio-fsck'))).toEqual(before);
  });

  it('a provider may quarantine a whole run; undo moves it back', async () => {
    const dataDir = makeDataDir(tempDir(), { runs: 2, steps: 6 });
    damage.cutJson(dataDir, RUN, 'config.json', 10);
    damage.truncateMidLine(dataDir, RUN);
    const before = snapshot(dataDir);
    const plan = await planRepair(dataDir, {
      providers: [
        async (f) =>
          f.run === RUN
            ? { action: 'quarantine-run', safe: false, run: RUN, path: `runs/${RUN}`, description: 'move the run', findings: [f], edits: [], pre: null }
            : undefined,
      ],
    });
    // two findings, one run: the moves merge into one op
    const outcome = await applyPlan(plan, plan.steps.map((s) => s.id), { command: 'test' });
    expect(outcome!.journal.ops.map((o) => [o.kind, o.path])).toEqual([['move', `runs/${RUN}`]]);
    expect(existsSync(join(dataDir, 'runs', RUN))).toBe(false);
    expect(existsSync(join(dataDir, outcome!.journal.quarantineDir, 'runs', RUN, 'metrics.jsonl'))).toBe(true);
    const v = await verifyRepair(dataDir, outcome!.journal);
    expect(v.remaining).toEqual([]);
    await undoRepair(dataDir, { command: 'test' });
    expect(snapshot(dataDir, (p) => p.startsWith('.trackio-fsck'))).toEqual(before);
  });
});
