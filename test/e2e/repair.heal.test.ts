import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { damage, makeDataDir, metricsLines, runId } from '../../fixtures/build/dataDir.mjs';
import { runCli, tempDir } from '../helpers/cli.js';
import { snapshot } from '../helpers/repairTree.js';

const RUN = runId(0);
const notState = (p: string) => p.startsWith('.trackio-fsck') || p.startsWith('quarantine');

interface Step {
  id: number;
  action: string;
  safe: boolean;
  path: string;
  findings: Array<{ code: string }>;
  source?: { path: string; sha256: string };
}

/** A project folder with .trackio (2 runs), its manifest, and one snapshot in ./trackio_backups. */
function healthyWithBackup(runs = 2) {
  const root = tempDir();
  const dataDir = makeDataDir(root, { runs, steps: 6 });
  expect(runCli(['manifest', 'write', dataDir]).code).toBe(0);
  expect(runCli(['backup', dataDir], { cwd: root }).code).toBe(0);
  return { root, dataDir, healthy: snapshot(dataDir, notState) };
}

function plan(root: string, dataDir: string, extra: string[] = []): { code: number; steps: Step[]; left: Array<{ finding: { code: string }; reason: string }> } {
  const r = runCli(['repair', '-n', dataDir, '--json', ...extra], { cwd: root });
  const doc = JSON.parse(r.stdout);
  return { code: r.code, steps: doc.plan.steps, left: doc.plan.left };
}

describe('repair heals from backup: restore-from-backup when a verified snapshot holds the recorded bytes', () => {
  it('a cut-short config.json, a deleted log and a metrics file cut below its recorded size come back byte-identical; undo returns the damage', () => {
    const { root, dataDir, healthy } = healthyWithBackup();
    const config = damage.cutJson(dataDir, RUN, 'config.json', 10);
    const gone = damage.deleteFile(dataDir, RUN, 'logs/train.log');
    const cut = damage.truncateMidLine(dataDir, runId(1), 30);
    const damaged = snapshot(dataDir, notState);

    const dry = runCli(['repair', '-n', dataDir], { cwd: root });
    expect(dry.code).toBe(4);
    expect(dry.stdout).toMatch(new RegExp(`-y +restore-from-backup +${config.path}`));
    expect(dry.stdout).toMatch(new RegExp(`safe +restore-from-backup +${gone.path}`));
    expect(dry.stdout).toMatch(new RegExp(`safe +restore-from-backup +${cut.path}`));
    expect(dry.stdout).toContain('in backup trackio_backup_');
    expect(snapshot(dataDir, notState)).toEqual(damaged); // the dry run changed nothing

    const r = runCli(['repair', '-y', dataDir, '--json'], { cwd: root });
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout);
    expect(doc.repair.ops.map((o: { kind: string; path: string }) => [o.kind, o.path])).toEqual([
      ['copy-in', config.path],
      ['copy-in', gone.path],
      ['copy-in', cut.path],
    ]);
    expect(doc.recheck.remaining).toEqual([]);
    expect(snapshot(dataDir, notState)).toEqual(healthy);
    expect(runCli(['manifest', 'verify', dataDir]).code).toBe(0);

    const undo = runCli(['undo', dataDir]);
    expect(undo.code).toBe(0);
    expect(snapshot(dataDir, notState)).toEqual(damaged);
  });

  it('--backups names another BACKUPS; --preen restores only crash damage and a missing file', () => {
    const root = tempDir();
    const dataDir = makeDataDir(root, { runs: 1, steps: 6 });
    const elsewhere = join(tempDir(), 'snaps');
    expect(runCli(['manifest', 'write', dataDir]).code).toBe(0);
    expect(runCli(['backup', dataDir, '--dest', elsewhere]).code).toBe(0);
    const good = readFileSync(join(dataDir, 'runs', RUN, 'metrics.jsonl'));
    damage.appendNulTail(dataDir, RUN); // recorded bytes intact: only the NULs go, by either fix
    damage.cutJson(dataDir, RUN, 'config.json', 10); // quarantine or restore: needs -y
    expect(plan(root, dataDir).steps.map((s) => s.action)).toEqual(['quarantine-file', 'trim-last-line']);
    const steps = plan(root, dataDir, ['--backups', elsewhere]).steps;
    expect(steps.map((s) => [s.action, s.safe])).toEqual([
      ['restore-from-backup', false],
      ['restore-from-backup', true],
    ]);
    const r = runCli(['recover', dataDir, '--backups', elsewhere]);
    expect(r.code).toBe(4); // config.json is left for -y
    expect(readFileSync(join(dataDir, 'runs', RUN, 'metrics.jsonl')).equals(good)).toBe(true);
  });

  it('with no matching snapshot the usual fixes are offered', () => {
    const { root, dataDir } = healthyWithBackup(1);
    // Changed and recorded again after the backup: no snapshot holds the bytes the manifest vouches for.
    appendFileSync(join(dataDir, 'runs', RUN, 'metrics.jsonl'), metricsLines(2, 100));
    writeFileSync(join(dataDir, 'runs', RUN, 'config.json'), '{"learning_rate": 0.5}');
    expect(runCli(['manifest', 'write', dataDir]).code).toBe(0);
    damage.cutJson(dataDir, RUN, 'config.json', 10);
    damage.truncateMidLine(dataDir, RUN);
    const p = plan(root, dataDir);
    expect(p.steps.map((s) => [s.action, s.path])).toEqual([
      ['quarantine-file', `runs/${RUN}/config.json`],
      ['trim-last-line', `runs/${RUN}/metrics.jsonl`],
    ]);
    // Nor without any backups at all.
    expect(plan(root, dataDir, ['--backups', join(root, 'none')]).steps.map((s) => s.action)).toEqual(['quarantine-file', 'trim-last-line']);
  });

  it('metrics.jsonl: the fix that keeps more bytes wins; a run that logged more steps after the backup keeps them', () => {
    const { root, dataDir } = healthyWithBackup(2);
    // run 0: appended after the manifest, then the crash cut its last line: trimming keeps more than the copy.
    damage.appendRecords(dataDir, RUN, 4);
    damage.truncateMidLine(dataDir, RUN);
    // run 1: a bad line in bytes the manifest recorded: the copy keeps every record, quarantine would drop one.
    damage.invalidLineInMiddle(dataDir, runId(1), 3);
    const p = plan(root, dataDir);
    expect(p.steps.map((s) => [s.action, s.path])).toEqual([
      ['trim-last-line', `runs/${RUN}/metrics.jsonl`],
      ['restore-from-backup', `runs/${runId(1)}/metrics.jsonl`],
    ]);
    expect(p.steps[1]!.findings.map((f) => f.code).sort()).toEqual(['jsonl/invalid-line', 'manifest/modified']);
  });

  it('a snapshot copy that rotted is never handed out', () => {
    const { root, dataDir } = healthyWithBackup(1);
    damage.cutJson(dataDir, RUN, 'config.json', 10);
    const first = plan(root, dataDir).steps[0]!;
    expect(first.action).toBe('restore-from-backup');
    writeFileSync(first.source!.path, '{"learning_rate": 9}');
    expect(plan(root, dataDir).steps.map((s) => s.action)).toEqual(['quarantine-file']);
  });

  it('killed at any durable point: resume finishes byte-identical, undo returns the damage', () => {
    // Every point in CI (and with TRACKIO_FSCK_FULL_SWEEPS=1); locally every third one.
    const stride = process.env.CI || process.env.TRACKIO_FSCK_FULL_SWEEPS ? 1 : 3;
    for (let n = 1; ; n += stride) {
      const { root, dataDir, healthy } = healthyWithBackup(1);
      damage.cutJson(dataDir, RUN, 'config.json', 10);
      const damaged = snapshot(dataDir, notState);
      const killed = runCli(['repair', '-y', dataDir], { cwd: root, env: { TRACKIO_FSCK_FAULT: `step:${n}` } });
      if (killed.code !== -1) {
        expect(killed.code).toBe(1); // ran to the end: every point was tried
        expect(n).toBeGreaterThan(3);
        break;
      }
      if (n % 2 === 1) {
        expect(runCli(['repair', '-y', dataDir], { cwd: root }).code).toBeLessThanOrEqual(1);
        expect(snapshot(dataDir, notState)).toEqual(healthy);
      } else {
        expect(runCli(['undo', dataDir]).code).toBe(0);
        expect(snapshot(dataDir, notState)).toEqual(damaged);
        expect(existsSync(join(dataDir, 'runs', RUN, 'config.json'))).toBe(true);
      }
    }
  });
});
