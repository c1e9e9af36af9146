import { describe, expect, it } from 'vitest';
import { damage, makeDataDir, runId } from '../../fixtures/build/dataDir.mjs';
import { check, validators } from '../helpers/engine.js';
import { runCli, tempDir } from '../helpers/cli.js';

const RUN = runId(0);

describe("check: trackio-fsck's own temp files, left by a killed write, are leftovers too", () => {
  for (const name of ['.trackio-fsck-tmp-metrics.jsonl-2026-11-26T03-37-47-108Z', '.trackio-fsck-tmp-config.json-4242-0a1b2c3d', 'config.json.trackio-fsck-copy-4242']) {
    it(name, async () => {
      const dataDir = makeDataDir(tempDir(), { runs: 1 });
      const expected = damage.leftoverTemp(dataDir, RUN, name);
      const { report } = await check(dataDir);
      expect(report.findings.map((f) => [f.code, f.path, f.fix?.action])).toEqual([[expected.code, expected.path, 'quarantine-file']]);
    });
  }

  it('a name that merely mentions trackio-fsck is not one', async () => {
    const dataDir = makeDataDir(tempDir(), { runs: 1 });
    damage.leftoverTemp(dataDir, RUN, 'artifacts/trackio-fsck-tmp-notes.txt');
    damage.leftoverTemp(dataDir, RUN, 'artifacts/x.trackio-fsck-copy-final');
    const { report } = await check(dataDir);
    expect(report.findings).toEqual([]);
  });
});

describe('report schema: finding paths', () => {
  const report = (path: string) => ({
    tool: 'trackio-fsck',
    version: '0.1.0',
    command: 'check',
    dataDir: '/d',
    layout: 'run-directory',
    summary: { runs: 1, files: 1, bytes: 1, errors: 0, warnings: 1, infos: 0, durationMs: 1 },
    findings: [{ code: 'fs/leftover-temp', severity: 'warning', run: RUN, path, message: 'm' }],
    exitCode: 0,
  });

  it('a backslash is a legal file name character on Linux: such a path validates, straight from the CLI', () => {
    const dataDir = makeDataDir(tempDir(), { runs: 1 });
    const { path } = damage.leftoverTemp(dataDir, RUN, 'artifacts/a\\b.tmp');
    const r = runCli(['check', dataDir, '--json']);
    const doc = JSON.parse(r.stdout);
    expect(doc.findings.map((f: { path: string }) => f.path)).toEqual([path]);
    expect(validators.report!(doc), JSON.stringify(validators.report!.errors)).toBe(true);
  });

  it('absolute paths and paths climbing out with .. are rejected; names that start with dots are not', () => {
    const base = report('runs/x/a');
    expect(validators.report!(base), JSON.stringify(validators.report!.errors)).toBe(true);
    for (const bad of ['/etc/passwd', '../outside', 'runs/../../etc', 'runs/x/..', '..']) expect(validators.report!(report(bad)), bad).toBe(false);
    for (const good of ['runs/x/..hidden', 'runs/x/...', 'runs/x/a..b', 'runs\\x']) expect(validators.report!(report(good)), good).toBe(true);
  });
});
