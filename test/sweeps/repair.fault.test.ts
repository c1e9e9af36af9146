import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { damage, makeDataDir, runId } from '../../fixtures/build/dataDir.mjs';
import { check, undoRepair } from '../../src/index.js';
import { listJournals } from '../helpers/internals.js';
import { runCli, tempDir } from '../helpers/cli.js';
import { killAtEveryPoint } from '../helpers/faults.js';
import { copyTree, snapshot } from '../helpers/repairTree.js';

/** Three runs, one op of each kind: a rewrite, a rewrite that quarantines lines, a move to quarantine. */
function damagedTemplate(): string {
  const dataDir = makeDataDir(tempDir(), { runs: 3, steps: 6 });
  damage.truncateMidLine(dataDir, runId(0));
  damage.invalidLineInMiddle(dataDir, runId(1), 2);
  damage.nulsThenRecordNoNewline(dataDir, runId(1));
  damage.cutJson(dataDir, runId(2), 'config.json', 10);
  return dataDir;
}

function copyOf(dataDir: string): string {
  const dst = join(tempDir(), '.trackio');
  copyTree(dataDir, dst);
  return dst;
}

/** The data as users see it: runs/ and quarantine/ (its folder named by repair id made comparable), not trackio-fsck's own state. */
function userView(dataDir: string): Record<string, string> {
  const snap = snapshot(dataDir, (p) => p.startsWith('.trackio-fsck'));
  return Object.fromEntries(
    Object.entries(snap).map(([p, v]) => [p.replace(/^quarantine\/[^/]+/, 'quarantine/ID'), p.endsWith('.why.json') ? 'record of why' : v]),
  );
}

const originalsOnly = (dataDir: string) => snapshot(dataDir, (p) => p.startsWith('.trackio-fsck'));

describe('a repair killed at any durable point (SIGKILL)', () => {
  it('is finished by `repair`, or undone by `undo`, byte for byte', async () => {
    const template = damagedTemplate();
    const original = originalsOnly(template);
    const reference = copyOf(template);
    expect(runCli(['repair', '-y', reference]).code).toBe(1);
    const repaired = userView(reference);
    expect(repaired).not.toEqual(userView(template));

    const points = await killAtEveryPoint(() => copyOf(template), (d) => ['repair', '-y', d], 1, async (dataDir, n) => {
      const killed = copyOf(dataDir);

      // resume: the same command finishes the interrupted repair
      const resumed = runCli(['repair', '-y', dataDir]);
      expect([0, 1], `resume after point ${n}: ${resumed.stdout}${resumed.stderr}`).toContain(resumed.code);
      expect(userView(dataDir), `after resuming from point ${n}`).toEqual(repaired);
      expect((await check(dataDir)).report.exitCode).toBe(0);
      // ...and the finished repair can still be undone exactly
      const afterResume = await undoRepair(dataDir, { command: 'test' });
      expect(afterResume?.conflicts ?? []).toEqual([]);
      expect(originalsOnly(dataDir), `undo after resuming from point ${n}`).toEqual(original);

      // undo straight after the kill (the CLI at odd points, the engine at even ones: the machine has two cores)
      if (n % 2 === 1) {
        const undone = runCli(['undo', killed]);
        expect(undone.code, `undo after point ${n}: ${undone.stdout}${undone.stderr}`).toBe(0);
      } else {
        expect((await undoRepair(killed, { command: 'test' }))?.conflicts ?? []).toEqual([]);
      }
      expect(originalsOnly(killed), `undo after point ${n}`).toEqual(original);
    });
    // lock, plan journal, 3 backups, then two rewrites and a move with their journal updates
    expect(points).toBeGreaterThanOrEqual(15);
  }, 150_000);

  it('an undo killed at any point is finished by running undo again', async () => {
    const template = damagedTemplate();
    const original = originalsOnly(template);
    expect(runCli(['repair', '-y', template]).code).toBe(1);
    const points = await killAtEveryPoint(() => copyOf(template), (d) => ['undo', d], 0, async (dataDir, n) => {
      // a repair refuses to start over a half-done undo (killed at the last point, the undo was complete)
      if ((await listJournals(dataDir)).pop()!.status === 'undoing') {
        expect(runCli(['repair', '-y', dataDir]).stdout).toContain('Finish the undo first');
      }
      const again = runCli(['undo', dataDir]);
      expect(again.code, again.stdout + again.stderr).toBe(0);
      expect(originalsOnly(dataDir), `undo killed at point ${n}`).toEqual(original);
    });
    expect(points).toBeGreaterThanOrEqual(6);
  }, 90_000);
});
