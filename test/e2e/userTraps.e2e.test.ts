import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { damage, makeDataDir, runId, writeRun } from '../../fixtures/build/dataDir.mjs';
import { makeTrackioDir, trackioDamage } from '../../fixtures/build/trackioDb.mjs';
import { runCli, tempDir } from '../helpers/cli.js';
import { git, gitOk, head, initRepo } from '../helpers/git.js';

// The six traps of issue 14: each command worked alone, chained they trapped a user.

interface JsonFinding {
  code: string;
  path: string;
  run: string | null;
}
const codesOf = (stdout: string): JsonFinding[] => (JSON.parse(stdout) as { findings: JsonFinding[] }).findings;

describe('trap 1: the tool\'s own state is never data', () => {
  it('a hook-gated commit after recover goes through, even when the pre-repair backup is staged by force', () => {
    const repo = initRepo(tempDir());
    const dataDir = makeDataDir(repo, { runs: 2 });
    gitOk(repo, ['add', '-A']);
    gitOk(repo, ['commit', '-qm', 'runs']);
    expect(runCli(['hook', 'install'], { cwd: repo }).code).toBe(0);
    damage.truncateMidLine(dataDir, runId(1));
    expect(runCli(['recover', '.trackio'], { cwd: repo }).code).toBe(1);

    // The state folder says `*` to git, so the README's `git add .trackio` leaves the backup out.
    expect(readFileSync(join(dataDir, '.trackio-fsck', '.gitignore'), 'utf8')).toMatch(/^\*$/m);
    gitOk(repo, ['add', '.trackio']);
    expect(gitOk(repo, ['diff', '--cached', '--name-only'])).not.toContain('.trackio-fsck');
    const first = head(repo);
    const c1 = git(repo, ['commit', '-qm', 'mended']);
    expect(c1.stderr).not.toContain('blocked');
    expect(c1.code).toBe(0);
    expect(head(repo)).not.toBe(first);

    // Forced in anyway (git add -f): the backup copy holds the damaged bytes on purpose, and is not a run.
    damage.truncateMidLine(dataDir, runId(0));
    expect(runCli(['recover', '.trackio'], { cwd: repo }).code).toBe(1);
    gitOk(repo, ['add', '-f', '.trackio']);
    const staged = gitOk(repo, ['diff', '--cached', '--name-only']);
    expect(staged).toMatch(/\.trackio-fsck\/repairs\/[^/]+\/files\/runs\/[^/]+\/metrics\.jsonl/);
    const c2 = git(repo, ['commit', '-qm', 'mended, with the backup']);
    expect(c2.stderr).not.toContain('blocked');
    expect(c2.code).toBe(0);
  });

  it('hook run ignores .trackio-fsck/ and quarantine/ paths, and still blocks a damaged run staged beside them', () => {
    const repo = initRepo(tempDir());
    const dataDir = makeDataDir(repo, { runs: 2 });
    damage.truncateMidLine(dataDir, runId(0));
    // A copy of the damaged run where a repair keeps its backup, and one in quarantine/.
    for (const own of ['.trackio-fsck/repairs/x/files', 'quarantine/x']) {
      mkdirSync(join(dataDir, own, 'runs', runId(0)), { recursive: true });
      writeFileSync(join(dataDir, own, 'runs', runId(0), 'metrics.jsonl'), readFileSync(join(dataDir, 'runs', runId(0), 'metrics.jsonl')));
    }
    const ownFiles = [`.trackio/.trackio-fsck/repairs/x/files/runs/${runId(0)}/metrics.jsonl`, `.trackio/quarantine/x/runs/${runId(0)}/metrics.jsonl`];
    const ok = runCli(['hook', 'run', ...ownFiles], { cwd: repo });
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    const blocked = runCli(['hook', 'run', ...ownFiles, `.trackio/runs/${runId(0)}/metrics.jsonl`], { cwd: repo });
    expect(blocked.code).toBe(4);
    expect(blocked.stderr).not.toContain('.trackio-fsck/repairs');
  });

  it('hook install warns when BACKUPS lies inside the repository', () => {
    const repo = initRepo(tempDir());
    makeDataDir(repo, { runs: 1 });
    const inside = runCli(['hook', 'install'], { cwd: repo });
    expect(inside.code).toBe(0);
    expect(inside.stderr).toContain(`warning: BACKUPS ${join(repo, 'trackio_backups')} lies inside this repository`);
    const outside = runCli(['hook', 'install'], { cwd: repo, env: { TRACKIO_FSCK_BACKUPS: tempDir() } });
    expect(outside.code).toBe(0);
    expect(outside.stderr).toBe('');
  });
});

describe('trap 2: manifest and repair converge', () => {
  it('manifest write on damaged data (with a leftover summary.json.tmp), recover, recover again: the second exits 0', () => {
    const root = tempDir();
    const dataDir = makeDataDir(root, { runs: 3 });
    damage.truncateMidLine(dataDir, runId(1));
    damage.leftoverTemp(dataDir, runId(1));
    const written = runCli(['manifest', 'write', dataDir]);
    expect(written.code).toBe(4); // it records, and says the data it recorded is damaged
    const manifest = readFileSync(join(dataDir, 'manifest-sha256.txt'), 'utf8');
    expect(manifest).not.toContain('.tmp');
    expect(manifest).toContain(`runs/${runId(1)}/metrics.jsonl`);

    const first = runCli(['recover', dataDir]);
    expect(first.code).toBe(1);
    expect(first.stdout).not.toMatch(/manifest\/(modified|missing)/);
    const second = runCli(['recover', dataDir]);
    expect(second.stdout).not.toMatch(/manifest\/(modified|missing)/);
    expect(second.code).toBe(0);
    const check = runCli(['check', '--json', dataDir]);
    expect(check.code).toBe(0);
    expect(codesOf(check.stdout).filter((f) => f.code.startsWith('manifest/'))).toEqual([]);
    expect(runCli(['manifest', 'verify', dataDir]).code).toBe(0);

    // undo puts the files and their manifest entries back: the damage again, and no manifest finding the tool caused.
    expect(runCli(['undo', dataDir]).code).toBe(0);
    const after = runCli(['check', '--json', dataDir]);
    const codes = codesOf(after.stdout).map((f) => f.code);
    expect(codes).toContain('jsonl/truncated-tail');
    expect(codes.filter((c) => c === 'manifest/modified' || c === 'manifest/missing')).toEqual([]);
  });
});

describe('trap 2, the other side: damage to recorded data is never re-recorded away', () => {
  it('manifest on healthy data, a line damaged later, repair -y without a backup: manifest/modified stays', () => {
    const dataDir = makeDataDir(tempDir(), { runs: 1, steps: 6 });
    expect(runCli(['manifest', 'write', dataDir]).code).toBe(0);
    damage.invalidLineInMiddle(dataDir, runId(0), 3);
    expect(runCli(['repair', '-y', dataDir, '--backups', tempDir()]).code).toBe(4);
    const after = runCli(['check', '--json', dataDir]);
    expect(after.code).toBe(4);
    expect(codesOf(after.stdout).map((f) => `${f.code} ${f.path}`)).toEqual([`manifest/modified runs/${runId(0)}/metrics.jsonl`]);
  });
});

describe('trap 2, in Trackio\'s SQLite layout', () => {
  it('manifest write, repair -y, repair -y again: the second exits 0; undo brings back the damage and its record', () => {
    const dataDir = makeTrackioDir(tempDir(), { projects: [['a', 'current']] });
    trackioDamage.invalidJsonCell(dataDir, 'a');
    expect(runCli(['manifest', 'write', dataDir]).code).toBe(4);
    expect(runCli(['repair', '-y', dataDir]).code).toBe(1);
    const second = runCli(['repair', '-y', dataDir]);
    expect(second.stdout).not.toContain('manifest/modified');
    expect(second.code).toBe(0);
    expect(runCli(['manifest', 'verify', dataDir]).code).toBe(0);
    expect(runCli(['undo', dataDir]).code).toBe(0);
    expect(codesOf(runCli(['check', '--json', dataDir]).stdout).map((f) => f.code)).toEqual(['sqlite/invalid-json']);
    expect(runCli(['manifest', 'verify', dataDir]).code).toBe(0);
  });
});

describe('trap 3: a missing BACKUPS folder is an error', () => {
  it('backups list, verify, prune and restore exit 8 naming the folder, from --dest and from $TRACKIO_FSCK_BACKUPS', () => {
    const root = tempDir();
    const dataDir = makeDataDir(root, { runs: 1 });
    const missing = join(root, 'mistyped_backups');
    const verbs = [['backups', 'list'], ['backups', 'verify'], ['backups', 'prune', '--keep', '1'], ['restore', 'trackio_backup_20260101_000000', dataDir]];
    for (const verb of verbs) {
      const viaFlag = runCli([...verb, '--dest', missing], { cwd: root });
      expect(viaFlag.code, verb.join(' ')).toBe(8);
      expect(viaFlag.stderr).toContain(missing);
      const viaEnv = runCli(verb, { cwd: root, env: { TRACKIO_FSCK_BACKUPS: missing } });
      expect(viaEnv.code, verb.join(' ')).toBe(8);
      expect(viaEnv.stderr).toContain(missing);
    }
    expect(existsSync(missing)).toBe(false);
  });
});

describe('trap 4: liveness messages say what was seen', () => {
  it('recover right after a crash names the mtime evidence and the way out, and --live-window 0 mends', () => {
    const root = tempDir();
    const dataDir = makeDataDir(root, { runs: 2 });
    damage.truncateMidLine(dataDir, runId(1));
    damage.leftoverTemp(dataDir, runId(1));
    rmSync(join(dataDir, 'runs', runId(1), 'summary.json'));
    const metrics = join(dataDir, 'runs', runId(1), 'metrics.jsonl');
    const now = new Date(Date.now() - 3000);
    utimesSync(metrics, now, now); // the writer crashed 3 s ago; nobody holds the file
    const r = runCli(['recover', dataDir]);
    expect(r.code).toBe(4);
    expect(r.stdout).not.toContain('a writer is using it');
    expect(r.stdout).toMatch(new RegExp(`${runId(1)}: metrics\\.jsonl changed \\d+ s ago, no summary\\.json yet; no process has it open; if the writer crashed: --live-window 0`));
    const mended = runCli(['recover', '--live-window', '0', dataDir]);
    expect(mended.code).toBe(1);
  });
});

describe('trap 5: check and manifest verify agree on missing recorded runs', () => {
  it('a deleted recorded run is manifest/missing for both, exit 4 for both', () => {
    const root = tempDir();
    const dataDir = makeDataDir(root, { runs: 3 });
    expect(runCli(['manifest', 'write', dataDir]).code).toBe(0);
    rmSync(join(dataDir, 'runs', runId(2)), { recursive: true });
    const check = runCli(['check', '--json', dataDir]);
    const verify = runCli(['manifest', 'verify', '--json', dataDir]);
    expect(check.code).toBe(4);
    expect(verify.code).toBe(4);
    const missing = (out: string) => codesOf(out).filter((f) => f.code === 'manifest/missing').map((f) => f.path).sort();
    expect(missing(check.stdout)).toEqual(missing(verify.stdout));
    expect(missing(check.stdout)).toContain(`runs/${runId(2)}/metrics.jsonl`);
    // --run names the runs to look at: the deleted one is not among them.
    expect(runCli(['check', dataDir, '--run', runId(0)]).code).toBe(0);
  });
});

describe('trap 6: BACKUPS is one place whatever the working folder', () => {
  it('backup from a subfolder writes beside the data dir; list from elsewhere finds it; $TRACKIO_FSCK_BACKUPS wins', () => {
    const root = tempDir();
    const dataDir = makeDataDir(root, { runs: 1 });
    const sub = join(root, 'notebooks', 'deep');
    mkdirSync(sub, { recursive: true });
    expect(runCli(['backup', '../../.trackio'], { cwd: sub }).code).toBe(0);
    expect(existsSync(join(sub, 'trackio_backups'))).toBe(false);
    const backups = join(root, 'trackio_backups');
    expect(readdirSync(backups).filter((n) => n.startsWith('trackio_backup_'))).toHaveLength(1);
    const fromSub = runCli(['backups', 'list'], { cwd: sub });
    expect(fromSub.code).toBe(0);
    expect(fromSub.stdout).toContain(`backups ${backups}`);
    const fromAnywhere = runCli(['backups', 'verify'], { cwd: tempDir(), env: { TRACKIO_DIR: dataDir } });
    expect(fromAnywhere.code).toBe(0);
    expect(fromAnywhere.stdout).toContain('1 snapshot verified: all intact');

    const elsewhere = join(tempDir(), 'offsite');
    expect(runCli(['backup', dataDir], { cwd: sub, env: { TRACKIO_FSCK_BACKUPS: elsewhere } }).code).toBe(0);
    expect(readdirSync(elsewhere).filter((n) => n.startsWith('trackio_backup_'))).toHaveLength(1);
    writeRun(dataDir, runId(5));
  });
});
