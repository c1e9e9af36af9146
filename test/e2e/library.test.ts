import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { damage, makeDataDir, runId } from '../../fixtures/build/dataDir.mjs';
import { ROOT, tempDir } from '../helpers/cli.js';

describe('the engine as a library', () => {
  it("is importable by the package's name, with the README's example working", () => {
    const dataDir = makeDataDir(tempDir(), { runs: 1 });
    damage.truncateMidLine(dataDir, runId(0));
    const script = `
      import { check, CODES, EXIT } from 'trackio-fsck';
      const seen = [];
      const { report, files } = await check(${JSON.stringify(dataDir)}, { liveWindowMs: 0 }, (e) => {
        if (e.type === 'finding') seen.push(e.finding.code);
      });
      console.log(JSON.stringify({ exit: report.exitCode, uncorrected: EXIT.uncorrected, seen, files: files.length, known: 'jsonl/truncated-tail' in CODES }));
    `;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ exit: 4, uncorrected: 4, files: 5, known: true });
    expect(out.seen).toContain('jsonl/truncated-tail');
  });
});
