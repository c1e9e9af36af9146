import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeTrackioDir, trackioDamage, writeProject } from '../../fixtures/build/trackioDb.mjs';
import { runCli, tempDir } from '../helpers/cli.js';
import { validators } from '../helpers/engine.js';

function snapshot(dir: string): string[] {
  return readdirSync(dir, { recursive: true })
    .map(String)
    .sort()
    .filter((f) => statSync(join(dir, f)).isFile())
    .map((f) => `${f} ${createHash('sha256').update(readFileSync(join(dir, f))).digest('hex')} ${statSync(join(dir, f)).mtimeMs}`);
}

describe('trackio-fsck check on a real Trackio data dir (end to end)', () => {
  it('prints a row finding with its database, table and row', () => {
    const dataDir = makeTrackioDir(tempDir());
    trackioDamage.invalidJsonCell(dataDir, 'mnist', 2);
    const r = runCli(['check', dataDir]);
    expect(r.code).toBe(4);
    expect(r.stdout).toMatch(/error +sqlite\/invalid-json  mnist\.db metrics row 2\n/);
  });

  it('a healthy dir: exit 0, layout trackio-sqlite in a valid report, nothing changed on disk', () => {
    const dataDir = makeTrackioDir(tempDir());
    const before = snapshot(dataDir);
    const r = runCli(['check', dataDir, '--json']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(validators.report!(report)).toBe(true);
    expect(report).toMatchObject({ layout: 'trackio-sqlite', exitCode: 0, findings: [] });
    expect(snapshot(dataDir)).toEqual(before);
  });

  it('a damaged page: exit 4; --full names integrity_check; the finding validates with table and row', () => {
    const dataDir = makeTrackioDir(tempDir(), { steps: 300 });
    trackioDamage.corruptPage(dataDir, 'mnist');
    trackioDamage.invalidJsonCell(dataDir, 'cifar', 2);
    const r = runCli(['check', dataDir, '--full', '--json']);
    expect(r.code).toBe(4);
    const report = JSON.parse(r.stdout);
    expect(validators.report!(report)).toBe(true);
    expect(report.findings.map((f: { code: string }) => f.code)).toEqual(['sqlite/invalid-json', 'sqlite/integrity', 'sqlite/read-error']);
    expect(report.findings[0]).toMatchObject({ path: 'cifar.db', table: 'metrics', rowId: 2, run: null });
    expect(report.findings[1].message).toContain('PRAGMA integrity_check failed');
    const one = JSON.parse(runCli(['check', dataDir, '--run', 'cifar', '--json']).stdout);
    expect(one.findings.map((f: { code: string; path: string }) => [f.code, f.path])).toEqual([['sqlite/invalid-json', 'cifar.db']]);
    expect(runCli(['check', dataDir, '--run', 'nope']).code).toBe(8);
    const text = runCli(['check', dataDir]);
    expect(text.stdout).toContain('trackio-sqlite layout');
    expect(text.stdout).toContain('cifar.db');
  });

  it('without DIR, finds ~/.cache/huggingface/trackio from HOME, and names every place looked when empty', () => {
    const root = tempDir();
    const cwd = join(root, 'somewhere');
    mkdirSync(cwd);
    const home = join(root, 'home');
    const missing = runCli(['check'], { cwd, env: { HOME: home, HF_HOME: '' } });
    expect(missing.code).toBe(8);
    expect(missing.stderr).toContain(join(home, '.cache/huggingface/trackio'));
    writeProject(join(home, '.cache', 'huggingface', 'trackio'), 'p');
    const found = runCli(['check', '--json'], { cwd, env: { HOME: home, HF_HOME: '' } });
    expect(found.code).toBe(0);
    expect(JSON.parse(found.stdout).dataDir).toBe(join(home, '.cache', 'huggingface', 'trackio'));
  });
});
