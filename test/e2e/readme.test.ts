import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CODES } from '../../src/index.js';
import { BIN, ROOT, tempDir } from '../helpers/cli.js';
import { GIT_ENV } from '../helpers/git.js';

const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');

describe('docs/codes.md', () => {
  const codes = readFileSync(join(ROOT, 'docs', 'codes.md'), 'utf8');
  const rows = new Map([...codes.matchAll(/^\| `([a-z0-9]+\/[a-z0-9-]+)` \| (\w+) \|/gm)].map((m) => [m[1]!, m[2]!] as const));

  it('lists every finding code with its severity', () => {
    for (const [code, info] of Object.entries(CODES)) {
      expect(rows.get(code), `add a row to docs/codes.md: | \`${code}\` | ${info.severity} | ... |`).toBe(info.severity);
    }
  });

  it('and no code that does not exist', () => {
    for (const code of rows.keys()) expect(Object.keys(CODES)).toContain(code);
  });
});

/** One `$ command` of a ```console block: what it runs, the exit code it shows, the output it shows. */
interface Step {
  command: string;
  exit: number;
  output: string[];
}

/**
 * The ```console blocks of the README, in order. A line `$ cmd` is a command (`# exit N` at its end
 * gives the exit code; none means 0); the lines below it, up to the next `$`, its output, each to be
 * found in order. `...` inside a line matches anything there; a line of `...` alone stands for lines left out.
 */
function consoleSteps(text: string): Step[] {
  const steps: Step[] = [];
  for (const block of text.matchAll(/^```console\n([\s\S]*?)^```$/gm)) {
    for (const line of block[1]!.split('\n')) {
      if (line.startsWith('$ ')) {
        const m = /^\$ (.*?)\s*(?:#\s*exit (\d+))?$/.exec(line)!;
        steps.push({ command: m[1]!, exit: m[2] ? Number(m[2]) : 0, output: [] });
      } else if (line.trim() !== '' && steps.length > 0) steps[steps.length - 1]!.output.push(line);
    }
  }
  return steps;
}

/** What differs between one session and the next: times, snapshot and repair names, the folder. */
function normalise(line: string, root: string): string {
  return line
    .split(root)
    .join('/home/me/project')
    .replace(/trackio_backup_\d{8}_\d{6}/g, 'trackio_backup_X')
    .replace(/\d{4}-\d{2}-\d{2}T\d{2}[-:]\d{2}[-:]\d{2}[-.]\d{3}Z/g, 'TIME')
    .replace(/\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}/g, 'DATE')
    .replace(/\d+(\.\d+)? s\b/g, 'N s')
    .replace(/\s+/g, ' ')
    .trim();
}

function matcher(expected: string): RegExp {
  const esc = expected.split('...').map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${esc.join('.*')}$`);
}

describe('README', () => {
  it('has a table of contents and stays a guide: under 300 lines', () => {
    expect(readme.trimEnd().split('\n').length).toBeLessThan(300);
    expect(readme).toMatch(/^## Contents$/m);
    for (const heading of ['Quick start', 'Install', 'Off-site copies', 'Safety', 'Performance', 'Exit codes']) expect(readme).toMatch(new RegExp(`^## ${heading}$`, 'm'));
  });

  it('every console block runs against the real CLI: same exit codes, the output lines it shows', () => {
    const steps = consoleSteps(readme);
    expect(steps.length).toBeGreaterThan(10);
    // The README's session: the bundled demo data as .trackio in a fresh git repository, nothing live.
    const base = tempDir();
    const root = join(base, 'project');
    const bin = join(base, 'bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'trackio-fsck'), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`);
    chmodSync(join(bin, 'trackio-fsck'), 0o755);
    cpSync(join(ROOT, 'fixtures', 'demo'), join(root, '.trackio'), { recursive: true });
    const old = new Date('2026-01-01T12:00:00Z');
    const age = (dir: string): void => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        if (e.isDirectory()) age(join(dir, e.name));
        utimesSync(join(dir, e.name), old, old);
      }
    };
    age(join(root, '.trackio'));
    const env = { ...process.env, ...GIT_ENV, PATH: `${bin}:${process.env.PATH}`, TRACKIO_FSCK_BACKUPS: '', COLUMNS: '100' };
    spawnSync('git', ['init', '-q', '-b', 'main'], { cwd: root, env });

    const names = new Map<string, string>(); // snapshot names in the README -> this session's
    for (const step of steps) {
      const command = step.command.replace(/trackio_backup_\d{8}_\d{6}/g, (shown) => {
        if (!names.has(shown)) {
          const real = readdirSync(join(root, 'trackio_backups')).filter((n) => n.startsWith('trackio_backup_')).sort();
          names.set(shown, real[names.size] ?? shown);
        }
        return names.get(shown)!;
      });
      const r = spawnSync('sh', ['-c', command], { cwd: root, env, encoding: 'utf8' });
      const actual = `${r.stdout}${r.stderr}`.split('\n').map((l) => normalise(l, root)).filter(Boolean);
      const shown = `$ ${step.command}\n${r.stdout}${r.stderr}`;
      expect(r.status, shown).toBe(step.exit);
      let at = 0;
      for (const want of step.output) {
        if (want.trim() === '...') continue; // lines left out of the README
        const re = matcher(normalise(want, '/home/me/project'));
        while (at < actual.length && !re.test(actual[at]!)) at++;
        expect(at < actual.length, `README shows "${want}" for \`${step.command}\`; the CLI printed:\n${shown}`).toBe(true);
        at++;
      }
    }
  }, 240_000);
});
