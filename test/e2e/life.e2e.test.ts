import { readFileSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { damage, metricsLines, runId, writeRun } from '../../fixtures/build/dataDir.mjs';
import { runCli, tempDir, type CliResult } from '../helpers/cli.js';
import { git, gitOk, head, initRepo } from '../helpers/git.js';

/**
 * The README's typical life, on a fresh data dir in a real git repository, every step's exit code
 * asserted: write runs, manifest, crash one mid-line, recover, hook-gated commit with
 * `git add .trackio`, daily backups with retention, damage, heal and undo, restore one run.
 */
describe('a user\'s whole life with trackio-fsck', () => {
  it('works end to end, each command chained to the next as the README tells it', () => {
    const repo = initRepo(tempDir());
    const backups = join(tempDir(), 'trackio_backups'); // off the repository, as hook install advises
    const env = { TRACKIO_FSCK_BACKUPS: backups };
    const cli = (args: string[], code: number): CliResult => {
      const r = runCli(args, { cwd: repo, env });
      expect(r.code, `trackio-fsck ${args.join(' ')}\n${r.stdout}\n${r.stderr}`).toBe(code);
      return r;
    };
    const dataDir = join(repo, '.trackio');
    writeFileSync(join(repo, 'train.py'), 'print("train")\n');

    // Day 1: a few finished runs, recorded and committed through the hook.
    for (let i = 0; i < 3; i++) writeRun(dataDir, runId(i));
    cli(['check'], 0);
    cli(['manifest', 'write'], 0);
    expect(cli(['hook', 'install'], 0).stderr).toBe('');
    gitOk(repo, ['add', 'train.py', '.trackio']);
    expect(git(repo, ['commit', '-qm', 'first runs'], env).code).toBe(0);

    // A training job crashes mid-line, leaving a temp file. recover right away says what it saw:
    // a run changed seconds ago may still be written, and how to say it is not.
    writeRun(dataDir, runId(3), { finished: false, old: false });
    writeFileSync(join(dataDir, 'runs', runId(3), 'metrics.jsonl'), metricsLines(6) + '{"step": 6, "loss');
    writeFileSync(join(dataDir, 'runs', runId(3), 'summary.json.tmp'), '{"loss": 0.');
    expect(cli(['recover'], 4).stdout).toContain('no process has it open; if the writer crashed: --live-window 0');
    // Minutes later the run is no longer taken for live: the hook blocks the commit of the damage.
    const later = new Date(Date.now() - 10 * 60_000);
    for (const f of ['metrics.jsonl', 'summary.json.tmp', 'config.json']) utimesSync(join(dataDir, 'runs', runId(3), f), later, later);
    gitOk(repo, ['add', '.trackio']);
    const blocked = git(repo, ['commit', '-qm', 'crashed run'], env);
    expect(blocked.code).not.toBe(0);
    expect(blocked.stderr).toContain('jsonl/truncated-tail');
    cli(['recover'], 1);
    cli(['recover'], 0);
    cli(['check', '--live-window', '0'], 0);
    cli(['manifest', 'verify'], 0);
    gitOk(repo, ['add', '.trackio']);
    expect(gitOk(repo, ['diff', '--cached', '--name-only'])).not.toContain('.trackio-fsck');
    const mended = git(repo, ['commit', '-qm', 'crashed run, mended'], env);
    expect(mended.stderr).not.toContain('blocked');
    expect(mended.code).toBe(0);

    // Daily backups with retention (the cron line of the README), two today.
    cli(['backup', '--keep', '2', '--keep-daily', '7', '--keep-weekly', '4'], 0);
    writeRun(dataDir, runId(4));
    cli(['manifest', 'write', '--run', runId(4)], 0);
    cli(['backup', '--keep', '2', '--keep-daily', '7', '--keep-weekly', '4'], 0);
    const snaps = readdirSync(backups).filter((n) => n.startsWith('trackio_backup_')).sort();
    expect(snaps).toHaveLength(2);
    cli(['backups', 'list'], 0);
    cli(['backups', 'verify'], 0);
    const diff = cli(['backups', 'diff', snaps[0]!, snaps[1]!], 0);
    expect(diff.stdout).toContain(`+ added   runs/${runId(4)}/metrics.jsonl`);
    // Keeping the newest of each day leaves one snapshot today.
    expect(cli(['backups', 'prune', '--keep-daily', '7'], 0).stdout).toMatch(/1 removed, 1 kept/);

    // Silent damage: check names it; repair -y heals from the backup; undo returns the damage.
    damage.silentEdit(dataDir, runId(1));
    expect(cli(['check'], 4).stdout).toContain('manifest/modified');
    cli(['repair', '-y'], 1);
    cli(['check'], 0);
    cli(['undo'], 0);
    cli(['check'], 4);

    // restore one run from the snapshot: that run only, the damaged one moved aside.
    const other = readFileSync(join(dataDir, 'runs', runId(0), 'metrics.jsonl'));
    const restored = cli(['restore', snaps[1]!, '--run', runId(1)], 0);
    expect(restored.stdout).toMatch(/the previous version is in quarantine\/before-restore-/);
    expect(readFileSync(join(dataDir, 'runs', runId(0), 'metrics.jsonl'))).toEqual(other);
    cli(['check'], 0);
    cli(['manifest', 'verify'], 0);

    // A later writer keeps appending: still clean, and the commit goes through the hook.
    damage.appendRecords(dataDir, runId(2));
    cli(['check'], 0);
    gitOk(repo, ['add', '.trackio']);
    const before = head(repo);
    expect(git(repo, ['commit', '-qm', 'restored'], env).code).toBe(0);
    expect(head(repo)).not.toBe(before);
  }, 240_000); // some forty commands, each a fresh process
});
