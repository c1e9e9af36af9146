import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { damage, makeDataDir, runId } from '../../fixtures/build/dataDir.mjs';
import { chooseSteps, parseAnswer } from '../../src/cli/prompt/chooseSteps.js';
import { BIN, tempDir } from '../helpers/cli.js';
import { hasPython, onTerminal } from '../helpers/onTerminal.js';
import { snapshot } from '../helpers/repairTree.js';

const steps = [{ id: 1 }, { id: 2 }, { id: 3 }, { id: 4 }];
const replies = (...answers: Array<string | undefined>) => {
  const queue = [...answers];
  const asked: number[] = [];
  return { asked, ask: async (s: { id: number }) => (asked.push(s.id), queue.shift()) };
};

describe('the fix-by-fix questions', () => {
  it('y applies, n skips, a takes this one and every one after', async () => {
    const r = replies('y', 'n', 'a');
    expect(await chooseSteps(steps, r.ask)).toEqual([1, 3, 4]);
    expect(r.asked).toEqual([1, 2, 3]);
  });

  it('q cancels everything, even after yeses (answers are applied only at the end)', async () => {
    expect(await chooseSteps(steps, replies('y', 'y', 'q').ask)).toBe('cancel');
  });

  it('an unknown reply asks the same question again; end of input cancels', async () => {
    const r = replies('maybe', '', 'YES', 'no', 'n', undefined);
    expect(await chooseSteps(steps, r.ask)).toBe('cancel');
    expect(r.asked).toEqual([1, 1, 1, 2, 3, 4]);
    expect(['y', 'Yes', ' n ', 'all', 'Q'].map(parseAnswer)).toEqual(['yes', 'yes', 'no', 'all', 'quit']);
  });
});


function damaged() {
  const dataDir = makeDataDir(tempDir(), { runs: 2, steps: 6 });
  damage.truncateMidLine(dataDir, runId(0));
  damage.leftoverTemp(dataDir, runId(0));
  damage.invalidLineInMiddle(dataDir, runId(1), 3);
  return dataDir;
}

// python3's pty module gives the CLI a real terminal; without python3 the unit tests above still cover the logic.
describe.runIf(hasPython)('trackio-fsck repair on a terminal', () => {
  it('asks fix by fix; q cancels with exit 32 and nothing changed', () => {
    const dataDir = damaged();
    const before = snapshot(dataDir);
    const r = onTerminal(['y', 'q'], ['repair', dataDir]);
    expect(r.stdout).toContain('Fix 1/3? [y]es [n]o [a]ll [q]uit: ');
    expect(r.stdout).toContain('Fix 2/3?');
    expect(r.stdout).toContain('Cancelled: nothing was changed.');
    expect(r.code).toBe(32);
    expect(snapshot(dataDir)).toEqual(before);
  });

  it('applies exactly the fixes answered yes (exit 4: the declined one is left)', () => {
    const dataDir = damaged();
    const r = onTerminal(['y', 'y', 'n'], ['repair', dataDir]);
    expect(r.code).toBe(4);
    expect(r.stdout).toMatch(/Backup: \S+ \(2 files/);
    expect(r.stdout).toContain('1 problem left');
    expect(r.stdout).toContain('jsonl/invalid-line');
  });

  it('an unknown answer is asked again; a applies the rest (exit 1)', () => {
    const dataDir = damaged();
    const r = onTerminal(['what', 'a'], ['repair', dataDir]);
    expect(r.stdout.match(/Fix 1\/3\?/g)).toHaveLength(2);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('clean: 0 errors');
  });

  it('offers to finish an interrupted repair', () => {
    const dataDir = damaged();
    const killed = spawnSync(process.execPath, [BIN, 'repair', '-y', dataDir], { env: { ...process.env, TRACKIO_FSCK_FAULT: 'step:6' }, encoding: 'utf8' });
    expect(killed.signal).toBe('SIGKILL');
    const r = onTerminal(['y'], ['repair', dataDir]);
    expect(r.stdout).toContain('was interrupted while applying');
    expect(r.stdout).toContain('Resumed and finished repair');
    expect(r.code).toBe(1);
  });
});
