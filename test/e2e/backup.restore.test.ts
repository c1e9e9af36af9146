import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { flipBit, makeDataDir, runId, writeAwkwardFiles, writeRun } from '../../fixtures/build/dataDir.mjs';
import { backup } from '../../src/index.js';
import { BIN, runCli, tempDir } from '../helpers/cli.js';
import { readTree, sameTree } from '../helpers/tree.js';

/** A data dir with odd names, links and its own manifest, and one snapshot of it. */
async function backedUp() {
  const root = tempDir();
  const dataDir = makeDataDir(root, { runs: 2 });
  writeAwkwardFiles(dataDir, runId(1));
  writeFileSync(join(dataDir, 'manifest-sha256.txt'), 'the data dir\'s own manifest\n');
  const dest = join(root, 'trackio_backups');
  const { snapshot } = await backup(dataDir, { dest });
  return { root, dataDir, dest, name: snapshot.name, original: readTree(dataDir) };
}

function mutate(dataDir: string): void {
  appendFileSync(join(dataDir, 'runs', runId(0), 'metrics.jsonl'), '{"step": 99, "loss": 0.01}\n');
  rmSync(join(dataDir, 'runs', runId(1)), { recursive: true });
  writeRun(dataDir, 'new-run');
}

const hasScript = spawnSync('script', ['--version']).status === 0;

/** Runs the CLI on a pseudo-terminal (util-linux script), typing `answer`. */
function onTerminal(args: string[], answer: string) {
  const line = [process.execPath, BIN, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const r = spawnSync('script', ['-qec', line, '/dev/null'], { input: answer, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', TRACKIO_DIR: '' } });
  return { code: r.status, out: r.stdout };
}

/** A process holding `file` open for reading (a dashboard), until killed. */
async function holdOpen(file: string) {
  const child = spawn(process.execPath, ['-e', `require('fs').openSync(${JSON.stringify(file)}, 'r'); console.log('ready'); setInterval(() => {}, 1000)`], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
  return child;
}

describe('restore', () => {
  it('round trip: byte-identical data back (names, links, modes, mtimes, its own manifest); the old data kept aside', async () => {
    const { root, dataDir, dest, name, original } = await backedUp();
    mutate(dataDir);
    const before = readTree(dataDir);
    // Run from the project root, as the tutorial does: SNAPSHOT by name in ./trackio_backups, the data dir found.
    const r = runCli(['restore', name, '--yes'], { cwd: root });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(sameTree(readTree(dataDir), original).mtimeDrift).toBeLessThan(0.01);
    const aside = readdirSync(root).find((n) => n.startsWith('.trackio.before-restore-'))!;
    expect(aside).toMatch(/^\.trackio\.before-restore-\d{8}_\d{6}$/);
    expect(r.stdout).toContain(`the previous data is in ${join(root, aside)}`);
    expect(readTree(join(root, aside))).toEqual(before);
    expect(readdirSync(dest)).toEqual([name]);
    expect(readdirSync(root).filter((n) => n.includes('restoring'))).toEqual([]);
  });

  it('restores into a data dir that is gone (the tutorial\'s rm -rf), given its path', async () => {
    const { dataDir, dest, name, original } = await backedUp();
    rmSync(dataDir, { recursive: true });
    const r = runCli(['restore', name, dataDir, '--dest', dest, '--yes', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ aside: null, dataDir });
    expect(sameTree(readTree(dataDir), original).mtimeDrift).toBeLessThan(0.01);
  });

  it('with BACKUPS inside the data dir, the snapshots stay with the data, not in the aside copy', async () => {
    const root = tempDir();
    const dataDir = makeDataDir(root, { runs: 2 });
    const dest = join(dataDir, 'backups');
    const { snapshot } = await backup(dataDir, { dest });
    const original = readTree(dataDir, (p) => p === 'backups');
    mutate(dataDir);
    const r = runCli(['restore', snapshot.name, dataDir, '--dest', dest, '--yes', '--json']);
    expect(r.code).toBe(0);
    const { aside } = JSON.parse(r.stdout);
    expect(readdirSync(dest)).toEqual([snapshot.name]);
    expect(readdirSync(aside)).not.toContain('backups');
    expect(sameTree(readTree(dataDir, (p) => p === 'backups'), original).mtimeDrift).toBeLessThan(0.01);
  });

  it('refuses a damaged snapshot (exit 4) and changes nothing', async () => {
    const { root, dataDir, dest, name } = await backedUp();
    mutate(dataDir);
    const before = readTree(dataDir);
    flipBit(join(dest, name, 'runs', runId(0), 'config.json'), 5);
    const r = runCli(['restore', name, dataDir, '--dest', dest, '--yes']);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('backup/modified');
    expect(readTree(dataDir)).toEqual(before);
    expect(readdirSync(root).sort()).toEqual(['.trackio', 'trackio_backups']);
  });

  it('refuses while another process holds a file of the data dir open (exit 8), unless --force', async () => {
    const { root, dataDir, dest, name, original } = await backedUp();
    mutate(dataDir);
    const before = readTree(dataDir);
    const holder = await holdOpen(join(dataDir, 'runs', runId(0), 'metrics.jsonl'));
    try {
      const r = runCli(['restore', name, dataDir, '--dest', dest, '--yes']);
      expect(r.code).toBe(8);
      expect(r.stderr).toContain(`pid ${holder.pid}`);
      expect(r.stderr).toContain('Nothing was changed');
      expect(readTree(dataDir)).toEqual(before);
      const forced = runCli(['restore', name, dataDir, '--dest', dest, '--yes', '--force']);
      expect(forced.code).toBe(0);
      expect(sameTree(readTree(dataDir), original).mtimeDrift).toBeLessThan(0.01);
    } finally {
      holder.kill('SIGKILL');
    }
    expect(readdirSync(root).filter((n) => n.includes('before-restore'))).toHaveLength(1);
  });

  it('without a terminal and without --yes: says what it would do, exit 16, nothing changed', async () => {
    const { dataDir, dest, name } = await backedUp();
    mutate(dataDir);
    const before = readTree(dataDir);
    const r = runCli(['restore', name, dataDir, '--dest', dest]);
    expect(r.code).toBe(16);
    expect(r.stderr).toContain('--yes');
    expect(r.stderr).toContain(`${dataDir}.before-restore-`);
    expect(readTree(dataDir)).toEqual(before);
  });

  it.runIf(hasScript)('on a terminal it asks: no cancels (exit 32, nothing changed), yes restores', async () => {
    const { dataDir, dest, name, original } = await backedUp();
    mutate(dataDir);
    const before = readTree(dataDir);
    const no = onTerminal(['restore', name, dataDir, '--dest', dest], 'n\n');
    expect(no.out).toContain('Restore? [y/N]');
    expect(no.code).toBe(32);
    expect(readTree(dataDir)).toEqual(before);
    const yes = onTerminal(['restore', name, dataDir, '--dest', dest], 'y\n');
    expect(yes.code).toBe(0);
    expect(yes.out).toContain('the previous data is in');
    expect(sameTree(readTree(dataDir), original).mtimeDrift).toBeLessThan(0.01);
  });

  it('refuses to move aside a folder that is not a data dir (exit 16)', async () => {
    const { root, dest, name } = await backedUp();
    const project = join(root, 'project');
    mkdirSync(project);
    writeFileSync(join(project, 'notes.txt'), 'keep me');
    const r = runCli(['restore', name, project, '--dest', dest, '--yes']);
    expect(r.code).toBe(16);
    expect(r.stderr).toContain('not a trackio data dir');
    expect(readdirSync(project)).toEqual(['notes.txt']);
    expect(readdirSync(root).sort()).toEqual(['.trackio', 'project', 'trackio_backups']);
  });
});
