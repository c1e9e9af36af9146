// Issue 11 case 1 through the CLI: undo and a resumed repair refuse a journal that names a user's file.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { damage, makeDataDir, runId } from '../../fixtures/build/dataDir.mjs';
import { runCli, tempDir } from '../helpers/cli.js';
import { snapshot } from '../helpers/repairTree.js';

describe('a journal edited to name a user file (CLI)', () => {
  it('undo and repair -y exit 8 with one line, and touch nothing', () => {
    const dataDir = makeDataDir(tempDir(), { runs: 2, steps: 6 });
    damage.invalidLineInMiddle(dataDir, runId(0), 2);
    expect(runCli(['repair', '-y', dataDir]).code).toBe(1);
    const user = join('runs', runId(1), 'metrics.jsonl');
    const repairs = join(dataDir, '.trackio-fsck', 'repairs');
    const journalFile = join(repairs, readdirSync(repairs)[0]!, 'journal.json');
    const journal = JSON.parse(readFileSync(journalFile, 'utf8'));
    journal.ops[0].creates.push(user);
    journal.status = 'applying';
    journal.ops[0].state = 'prepared';
    journal.ops[0].temp = user;
    writeFileSync(journalFile, JSON.stringify(journal));
    const before = snapshot(dataDir);
    for (const args of [['undo'], ['repair', '-y']]) {
      const r = runCli([...args, dataDir]);
      expect(r.code, args.join(' ')).toBe(8);
      expect(r.stderr.trim().split('\n'), r.stderr).toHaveLength(1);
      expect(r.stderr).toMatch(/cannot read the repair journal .*not what a repair writes.*nothing was changed/);
      expect(snapshot(dataDir)).toEqual(before);
    }
  });
});
