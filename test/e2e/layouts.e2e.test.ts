import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeDataDir, runId } from '../../fixtures/build/dataDir.mjs';
import { makeTrackioDir, trackioDamage } from '../../fixtures/build/trackioDb.mjs';
import { runCli, tempDir } from '../helpers/cli.js';
import { git, gitOk, initRepo } from '../helpers/git.js';

// Every command on both layouts: the ones that once only knew runs/ (du, hook run) included.
const size = (p: string) => statSync(p).size;

describe('du on a Trackio data dir', () => {
  it('--json: per project the database, WAL, media, artifacts and parquet, largest first', () => {
    const root = tempDir();
    const dataDir = makeTrackioDir(root);
    writeFileSync(join(dataDir, 'mnist.parquet'), 'x'.repeat(5000));
    writeFileSync(join(dataDir, 'mnist_system.parquet'), 'y'.repeat(700));
    const r = runCli(['du', '--json', dataDir, '--dest', join(root, 'b')]);
    expect(r.code, r.stderr).toBe(0);
    const du = JSON.parse(r.stdout);
    expect(du.layout).toBe('trackio-sqlite');
    expect(du.runs).toEqual([]);
    expect(du.projects.map((p: { project: string }) => p.project).sort()).toEqual(['cifar', 'legacy', 'mnist']);
    const mnist = du.projects.find((p: { project: string }) => p.project === 'mnist');
    expect(mnist.database).toBe(size(join(dataDir, 'mnist.db')));
    expect(mnist.parquet).toBe(5700);
    expect(mnist.bytes).toBe(mnist.database + mnist.wal + mnist.media + mnist.artifacts + mnist.parquet);
    expect(mnist.media).toBeGreaterThan(0);
    for (let i = 1; i < du.projects.length; i++) expect(du.projects[i - 1].bytes).toBeGreaterThanOrEqual(du.projects[i].bytes);
    expect(du.total).toBe(du.projects.reduce((n: number, p: { bytes: number }) => n + p.bytes, 0) + du.quarantine + du.other + du.backups);
  });

  it('prints a PROJECT table', () => {
    const dataDir = makeTrackioDir(tempDir());
    const r = runCli(['du', dataDir]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/PROJECT +TOTAL +DATABASE +WAL +MEDIA +ARTIFACTS +PARQUET/);
    expect(r.stdout).toMatch(/^projects \(3\)/m);
  });
});

describe('hook run on a Trackio data dir', () => {
  it('blocks a commit that stages a damaged <project>.db, lets a healthy one through', () => {
    const repo = initRepo(tempDir());
    const dataDir = makeTrackioDir(repo);
    const db = (p: string) => relative(repo, join(dataDir, `${p}.db`));
    gitOk(repo, ['add', '.']);
    const ok = runCli(['hook', 'run', db('mnist'), db('cifar')], { cwd: repo });
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);

    trackioDamage.invalidJsonCell(dataDir, 'mnist', 2);
    const bad = runCli(['hook', 'run', db('mnist')], { cwd: repo });
    expect(bad.code).toBe(4);
    expect(bad.stdout + bad.stderr).toContain('sqlite/invalid-json');
    // Another project's damage is not this commit's business.
    const other = runCli(['hook', 'run', db('cifar')], { cwd: repo });
    expect(other.code, other.stdout).toBe(0);
  });

  it('the installed git hook blocks the commit', () => {
    const repo = initRepo(tempDir());
    const dataDir = makeTrackioDir(repo, { steps: 300 });
    expect(runCli(['hook', 'install'], { cwd: repo }).code).toBe(0);
    trackioDamage.corruptPage(dataDir, 'mnist');
    gitOk(repo, ['add', relative(repo, join(dataDir, 'mnist.db'))]);
    const r = git(repo, ['commit', '-qm', 'damaged'], { PATH: `${join(import.meta.dirname, '..', '..', 'bin')}:${process.env.PATH}` });
    expect(r.code).not.toBe(0);
  });
});

describe('du and hook on the run-directory layout still work', () => {
  it('du --json lists runs', () => {
    const root = tempDir();
    const dataDir = makeDataDir(root, { runs: 2 });
    const du = JSON.parse(runCli(['du', '--json', dataDir, '--dest', join(root, 'b')]).stdout);
    expect(du.layout).toBe('run-directory');
    expect(du.projects).toEqual([]);
    expect(du.runs.map((r: { run: string }) => r.run).sort()).toEqual([runId(0), runId(1)]);
  });

  it('hook run maps a staged metrics file to its run', () => {
    const repo = initRepo(tempDir());
    const dataDir = makeDataDir(join(repo, 'x'), { runs: 1 });
    mkdirSync(join(dataDir, 'runs', runId(0), 'logs'), { recursive: true });
    writeFileSync(join(dataDir, 'runs', runId(0), 'metrics.jsonl'), '{"step": 0, "loss": 1}\n{"step": 1, "lo');
    const r = runCli(['hook', 'run', `x/${dataDir.slice(join(repo, 'x').length + 1)}/runs/${runId(0)}/metrics.jsonl`], { cwd: repo, env: { TRACKIO_DIR: '' } });
    expect(r.code, r.stdout + r.stderr).toBe(4);
    expect(r.stdout + r.stderr).toContain('jsonl/truncated-tail');
  });
});
