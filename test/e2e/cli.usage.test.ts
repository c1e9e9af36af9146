import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { damage, makeDataDir, runId } from '../../fixtures/build/dataDir.mjs';
import { badLines } from '../helpers/badLines.js';
import { BIN, runCli, tempDir, type CliResult } from '../helpers/cli.js';

/** Every file under `dir` with its bytes: what must not change when a command is refused. */
function snapshotTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of readdirSync(dir, { recursive: true }) as string[]) {
    const p = join(dir, name);
    if (statSync(p).isFile()) out[name] = readFileSync(p, 'base64');
  }
  return out;
}

function runAsync(args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<CliResult> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => done({ code: code ?? -1, stdout, stderr }));
  });
}

async function inParallel<T, R>(items: T[], width: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  }));
  return out;
}

describe('a bad value is a usage error for every command that takes the option', () => {
  it('every command x every option with a rule x bad values: exit 16, one line on stderr naming the flag, nothing changed', async () => {
    // TRACKIO_DIR names a damaged data dir: a value taken as NaN or a default would let repair at it.
    const root = tempDir();
    const dataDir = makeDataDir(root, { runs: 2, steps: 4 });
    damage.truncateMidLine(dataDir, runId(0));
    const before = snapshotTree(root);
    // Every value of the sweep is tested in-process (test/unit/cli.parse.test.ts); here, through the
    // built CLI, each command x option once, and each way of leaving a value out once per option.
    const seen = new Set<string>();
    const cases = badLines().filter((c) => {
      // One bad value per command and option; the `--`-after-flag and flag-given-last shapes once per option.
      const shape = c.args.includes('--') ? '--' : c.args.at(-1) === c.flag ? 'last' : 'value';
      const key = shape === 'value' ? `${c.args.slice(0, 2).join(' ')} ${c.flag}` : `${c.flag} ${shape}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
    expect(cases.length).toBeGreaterThan(35);
    const cwd = tempDir();
    const results = await inParallel(cases, 4, (c) => runAsync(c.args, cwd, { TRACKIO_DIR: dataDir }));
    const wrong = cases
      .map((c, i) => ({ ...c, r: results[i]! }))
      // With --json among the words (a flag left without its value), stdout is the JSON error.
      .filter(({ args, r, flag }) => r.code !== 16 || r.stderr.split('\n').filter(Boolean).length !== 1 || !r.stderr.startsWith('trackio-fsck: ') || !r.stderr.includes(flag) || (args.includes('--json') ? !r.stdout.includes('"exitCode": 16') : r.stdout !== ''))
      .map(({ args, r }) => `${JSON.stringify(args)} -> exit ${r.code}: ${r.stderr}${r.stdout.slice(0, 200)}`);
    expect(wrong).toEqual([]);
    expect(snapshotTree(root)).toEqual(before);
    expect(readdirSync(cwd)).toEqual([]);
  }, 180_000);
});

describe('words', () => {
  it('an unknown command is not taken for DIR: a suggestion and a short usage, exit 16', () => {
    const r = runCli(['chek', 'demo'], { cwd: tempDir() });
    expect(r.code).toBe(16);
    expect(r.stderr).toContain('unknown command "chek", did you mean "check"?');
    expect(r.stderr).not.toContain('Unknown argument');
    expect(r.stderr.trim().split('\n').length).toBeLessThanOrEqual(2);
    const sub = runCli(['backups', 'lst'], { cwd: tempDir() });
    expect(sub.code).toBe(16);
    expect(sub.stderr).toContain('did you mean "backups list"?');
  });

  it('a first word that is an existing folder is the DIR of the default command (check)', () => {
    const cwd = tempDir();
    const dataDir = makeDataDir(cwd, { runs: 1, steps: 3 });
    cpSync(dataDir, join(cwd, 'chek'), { recursive: true });
    const r = runCli(['chek'], { cwd });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(join(cwd, 'chek'));
  });

  it('a misspelled option gets the option it is near, and a usage line instead of the whole help', () => {
    const r = runCli(['check', '--jsno'], { cwd: tempDir() });
    expect(r.code).toBe(16);
    expect(r.stderr).toContain('unknown option --jsno (did you mean --json?)');
    expect(r.stderr).toContain('usage: trackio-fsck check [DIR]');
    expect(r.stderr.trim().split('\n').length).toBeLessThanOrEqual(2);
    const extra = runCli(['check', '.', 'other'], { cwd: tempDir() });
    expect(extra.stderr).toContain('unexpected argument "other"');
  });

  it('DIR after -- is the DIR, for every command: TRACKIO_DIR does not win', () => {
    const root = tempDir();
    const mine = makeDataDir(join(root, 'mine'), { runs: 1, steps: 4 });
    const other = makeDataDir(join(root, 'other'), { runs: 1, steps: 4 });
    damage.truncateMidLine(mine, runId(0));
    damage.truncateMidLine(other, runId(0));
    const otherBefore = snapshotTree(other);
    const env = { TRACKIO_DIR: other };
    const check = runCli(['check', '--live-window', '0', '--', mine], { env });
    expect(check.stdout).toContain(mine);
    const repair = runCli(['repair', '-y', '--live-window', '0', '--', mine], { env });
    expect(repair.code).toBe(1);
    expect(snapshotTree(other)).toEqual(otherBefore);
    expect(runCli(['check', '--live-window', '0', mine]).code).toBe(0);
    for (const words of [['du'], ['manifest', 'write'], ['backup', '--dest', join(root, 'b')]]) {
      const r = runCli([...words, '--json', '--', mine], { env });
      expect((JSON.parse(r.stdout) as { dataDir: string }).dataDir, words.join(' ')).toBe(mine);
    }
  });

  it('completion prints a bash/zsh completion script', () => {
    const r = runCli(['completion']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('trackio-fsck');
    expect(r.stdout).toContain('--get-yargs-completions');
  });
});

describe('output', () => {
  it('--quiet prints only problems: nothing for clean data, the findings without header or summary for damaged', () => {
    const dataDir = makeDataDir(tempDir(), { runs: 2, steps: 4 });
    const clean = runCli(['check', dataDir, '-q', '--live-window', '0']);
    expect(clean.code).toBe(0);
    expect(clean.stdout).toBe('');
    damage.truncateMidLine(dataDir, runId(1));
    const bad = runCli(['check', dataDir, '--quiet', '--live-window', '0']);
    expect(bad.code).toBe(4);
    expect(bad.stdout).toContain('jsonl/truncated-tail');
    expect(bad.stdout).not.toContain('trackio-fsck');
    expect(bad.stdout).not.toMatch(/\d+ runs?, \d+ files/);
  });

  it('FORCE_COLOR=1 colours a pipe; FORCE_COLOR=0 and NO_COLOR do not', () => {
    const dataDir = makeDataDir(tempDir(), { runs: 1, steps: 3 });
    damage.truncateMidLine(dataDir, runId(0));
    const ansi = /\x1b\[/;
    expect(runCli(['check', dataDir, '--live-window', '0'], { env: { NO_COLOR: undefined, FORCE_COLOR: '1' } }).stdout).toMatch(ansi);
    expect(runCli(['check', dataDir, '--live-window', '0'], { env: { NO_COLOR: undefined, FORCE_COLOR: '0' } }).stdout).not.toMatch(ansi);
    expect(runCli(['check', dataDir, '--live-window', '0', '--color'], { env: { NO_COLOR: '1' } }).stdout).not.toMatch(ansi);
  });

  it("check's hint names the DIR and options given, quoted, and works when pasted", () => {
    const root = join(tempDir(), 'my data');
    mkdirSync(root);
    const dataDir = makeDataDir(root, { runs: 1, steps: 4 });
    damage.truncateMidLine(dataDir, runId(0));
    const r = runCli(['check', dataDir, '--live-window', '0']);
    const hint = /To mend: (trackio-fsck repair --dry-run .*), then (trackio-fsck repair .*)$/m.exec(r.stdout);
    expect(hint, r.stdout).not.toBeNull();
    expect(hint![1]).toBe(`trackio-fsck repair --dry-run --live-window 0 '${dataDir}'`);
    // Pasted into a shell (with trackio-fsck standing for the built CLI), from another folder.
    const pasted = spawnSync('sh', ['-c', hint![1]!.replace(/^trackio-fsck/, `"${process.execPath}" "${BIN}"`)], { cwd: tempDir(), encoding: 'utf8', env: { ...process.env, TRACKIO_DIR: '' } });
    expect(pasted.status, pasted.stderr).toBe(4);
    expect(pasted.stdout).toContain('Dry run: nothing was changed');
  });
});
