import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeDivergentTrackioDirs } from '../../fixtures/build/divergentDirs.mjs';
import { makeTrackioDir } from '../../fixtures/build/trackioDb.mjs';
import { runCli, tempDir } from '../helpers/cli.js';

describe('trackio-fsck compare (built CLI)', () => {
  it('exit 0 and one line when the copy is equal', () => {
    const a = makeTrackioDir(tempDir(), { projects: [['mnist', 'current']] });
    const b = join(tempDir(), 'copy');
    cpSync(a, b, { recursive: true });
    const r = runCli(['compare', a, b]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('A and B hold the same data: 1 project, 2 runs, 10 metrics rows');
  });

  it('exit 4 with the five-line summary when they differ; --json prints the result object', () => {
    const { a, b } = makeDivergentTrackioDirs(tempDir());
    const human = runCli(['compare', a, b]);
    expect(human.code).toBe(4);
    expect(human.stdout).toContain('B is 3 steps behind on run mnist/run-0');
    expect(human.stdout).toContain('1 media file missing in B');
    const json = runCli(['compare', a, b, '--json']);
    expect(json.code).toBe(4);
    const doc = JSON.parse(json.stdout);
    expect(Object.keys(doc).sort()).toEqual(['a', 'b', 'command', 'durationMs', 'equal', 'errors', 'exitCode', 'files', 'layout', 'projects', 'runs', 'summary', 'tool', 'version']);
    expect(doc).toMatchObject({ command: 'compare', layout: 'trackio-sqlite', equal: false, exitCode: 4, errors: [] });
    expect(doc.runs.find((r: { run: string; project: string }) => r.project === 'mnist' && r.run === 'run-1').metrics).toEqual({ onlyInA: 0, onlyInB: 1, differ: 1 });
    expect(doc.summary).toHaveLength(5);
  });

  it('a missing argument is a usage error (16); a missing directory an operational one (8)', () => {
    const a = makeTrackioDir(tempDir(), { projects: [['mnist', 'current']] });
    const usage = runCli(['compare', a]);
    expect(usage.code).toBe(16);
    expect(usage.stderr).toMatch(/compare needs A B/);
    const missing = runCli(['compare', a, join(tempDir(), 'nope')]);
    expect(missing.code).toBe(8);
    expect(missing.stderr).toMatch(/^trackio-fsck: no such directory: .*nope\n$/);
  });
});
