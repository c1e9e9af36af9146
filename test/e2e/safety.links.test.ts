import { cpSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeDataDir, runId, writeRun } from '../../fixtures/build/dataDir.mjs';
import { runCli, tempDir } from '../helpers/cli.js';
import { runCliTimedAsync } from '../helpers/safety.js';

// Issue 11 cases 12 and 6: one rule for links, the same answer from every command. A link is never
// followed to walk a directory (runs/ itself included); one leading out of the data dir (or nowhere)
// is reported at its own path, once, by check, manifest write, manifest verify and backup; du does
// not count what it leads to; verify and restore of a snapshot never follow a link.

interface Placement {
  name: string;
  /** The link's path in the data dir. */
  link: string;
  make: (dataDir: string, outside: string) => void;
}

const PLACEMENTS: Placement[] = [
  { name: 'runs/ itself', link: 'runs', make: (d, o) => { renameSync(join(d, 'runs'), join(o, 'moved-runs')); symlinkSync(join(o, 'runs'), join(d, 'runs')); } },
  { name: 'a run directory', link: `runs/${runId(7)}`, make: (d, o) => symlinkSync(join(o, 'runs', runId(0)), join(d, 'runs', runId(7))) },
  { name: 'a folder in a run', link: `runs/${runId(0)}/artifacts/ext`, make: (d, o) => symlinkSync(join(o, 'runs', runId(1)), join(d, 'runs', runId(0), 'artifacts', 'ext')) },
  { name: 'a file in a run', link: `runs/${runId(0)}/artifacts/big.bin`, make: (d, o) => symlinkSync(join(o, 'big.bin'), join(d, 'runs', runId(0), 'artifacts', 'big.bin')) },
  { name: 'a dangling link', link: `runs/${runId(0)}/logs/gone.log`, make: (d, o) => symlinkSync(join(o, 'nothing-here'), join(d, 'runs', runId(0), 'logs', 'gone.log')) },
];

/** A data dir, and outside it a tree of real runs and a 2 MiB file the links lead to. */
function setup(): { root: string; dataDir: string; outside: string } {
  const root = tempDir();
  const dataDir = makeDataDir(root, { runs: 2 });
  const outside = join(root, 'outside');
  mkdirSync(join(outside, 'runs'), { recursive: true });
  for (let i = 0; i < 2; i++) writeRun(outside, runId(i), { steps: 3 });
  writeFileSync(join(outside, 'big.bin'), Buffer.alloc(2 * 1024 * 1024, 7));
  return { root, dataDir, outside };
}

const escapesAt = (json: string, code: string) =>
  (JSON.parse(json).findings as Array<{ code: string; path: string }>).filter((f) => f.code === code).map((f) => f.path);

describe('case 12: one rule for links, the same answer from every command', () => {
  for (const p of PLACEMENTS) {
    it(`a link out of the data dir at ${p.name}: check, manifest write, manifest verify, backup and du agree`, async () => {
      const { root, dataDir, outside } = setup();
      // The manifest is written first, as the data was: then the link appears (the issue's scenario for verify).
      expect(runCli(['manifest', 'write', dataDir]).code).toBe(0);
      const recorded = readFileSync(join(dataDir, 'manifest-sha256.txt'), 'utf8');
      p.make(dataDir, outside);
      const dest = join(root, 'backups');
      // The hook is given a staged file behind (or beside) the link.
      const staged = `.trackio/${p.link.split('/').length === 2 ? p.link : `runs/${runId(0)}`}/metrics.jsonl`;
      const [check, verify, du, hook] = await Promise.all([
        runCliTimedAsync(['check', '--json', dataDir]),
        runCliTimedAsync(['manifest', 'verify', '--json', dataDir]),
        runCliTimedAsync(['du', '--json', '--dest', dest, dataDir]),
        runCliTimedAsync(['hook', 'run', staged], { cwd: root }),
      ]);
      // The commit is blocked, and the message names the link: never a silent pass.
      expect([4, 8]).toContain(hook.code);
      expect(hook.stdout + hook.stderr).toMatch(/symbolic link/);
      expect(check.code).toBe(4);
      expect(escapesAt(check.stdout, 'fs/symlink-escape')).toEqual([p.link]);
      expect(verify.code).toBe(4);
      expect(escapesAt(verify.stdout, 'fs/symlink-escape')).toEqual([p.link]);
      expect(du.code).toBe(0);
      // Nothing behind the link is counted: the 2 MiB file and the outside runs stay outside.
      expect(JSON.parse(du.stdout).total).toBeLessThan(1024 * 1024);

      const backup = runCli(['backup', '--json', '--dest', dest, dataDir]);
      expect(backup.code).toBe(4);
      expect(escapesAt(backup.stdout, 'backup/symlink-escape')).toEqual([p.link]);
      const snap = JSON.parse(backup.stdout).snapshot.path as string;
      expect(lstatSync(join(snap, p.link)).isSymbolicLink()).toBe(true);
      const listed = readFileSync(join(snap, 'manifest-sha256.txt'), 'utf8');
      expect(listed).not.toContain(`  ${p.link}/`);
      expect(listed).not.toMatch(new RegExp(`  ${p.link.replace(/[.]/g, '\\.')}\\n`));

      const write = runCli(['manifest', 'write', '--json', dataDir]);
      expect(write.code).toBe(4);
      expect(escapesAt(write.stdout, 'fs/symlink-escape')).toEqual([p.link]);
      const manifest = readFileSync(join(dataDir, 'manifest-sha256.txt'), 'utf8');
      if (p.link === 'runs') {
        // Nothing is read through the link, and no record is dropped for it: the manifest keeps what it recorded.
        expect(manifest).toBe(recorded);
      } else {
        expect(manifest).not.toContain(`  ${p.link}/`);
        expect(manifest.split('\n').some((l) => l.endsWith(`  ${p.link}`))).toBe(false);
      }
    });
  }

  it('a fresh data dir whose runs/ links out: manifest write records nothing and so writes nothing (exit 8)', () => {
    const { dataDir, outside } = setup();
    PLACEMENTS[0]!.make(dataDir, outside);
    const write = runCli(['manifest', 'write', dataDir]);
    expect(write.code).toBe(8);
    expect(write.stderr).toMatch(/nothing to record/);
    expect(existsSync(join(dataDir, 'manifest-sha256.txt'))).toBe(false);
  });
});

describe('case 6: verify and restore never follow a link in a snapshot', () => {
  for (const what of ['a run directory', 'runs/ itself', 'a file']) {
    it(`${what} replaced by a link to identical bytes outside the snapshot: damaged, verify exit 4, restore refuses and copies nothing`, async () => {
      const { root, dataDir, outside } = setup();
      const dest = join(root, 'backups');
      const made = runCli(['backup', '--json', '--dest', dest, dataDir]);
      expect(made.code).toBe(0);
      const snap = JSON.parse(made.stdout).snapshot.path as string;
      // The same bytes, moved out: every hash in the manifest still matches through the link.
      const inSnap = what === 'runs/ itself' ? 'runs' : what === 'a run directory' ? `runs/${runId(0)}` : `runs/${runId(0)}/config.json`;
      const away = join(outside, 'stolen');
      cpSync(join(snap, inSnap), away, { recursive: true });
      renameSync(join(snap, inSnap), join(outside, 'original'));
      symlinkSync(away, join(snap, inSnap));
      const target = join(root, 'restored');
      const [verify, restore] = await Promise.all([
        runCliTimedAsync(['backups', 'verify', '--json', '--dest', dest]),
        runCliTimedAsync(['restore', '--yes', '--dest', dest, JSON.parse(made.stdout).snapshot.name, target]),
      ]);
      expect(verify.code).toBe(4);
      const codes = JSON.parse(verify.stdout).snapshots[0].findings.map((f: { code: string }) => f.code);
      expect(codes).toContain('backup/modified');
      expect(restore.code).toBe(4);
      expect(existsSync(target)).toBe(false);
      expect(readdirSync(root).filter((n) => n.includes('restoring'))).toEqual([]);
    });
  }
});
