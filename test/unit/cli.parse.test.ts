import { describe, expect, it } from 'vitest';
import { badLines } from '../helpers/badLines.js';
import { parseCommandLine } from '../../src/cli/parseCommandLine.js';
import { runYargs } from '../../src/cli/runYargs.js';

type Outcome = { usage: string } | { run: Record<string, unknown>; by: 'fast' | 'yargs' };

/** What a command line would do, without doing it: the fast path, else yargs with its handlers caught. */
async function outcome(argv: string[], forceYargs = false): Promise<Outcome> {
  const parsed = parseCommandLine(argv);
  if (parsed.kind === 'usage') return { usage: parsed.message };
  if (parsed.kind === 'run' && !forceYargs) return { run: parsed.args, by: 'fast' };
  const asYargs = parsed.kind === 'yargs' ? parsed : { kind: 'yargs' as const, argv, entry: parsed.entry, command: parsed.command, json: parsed.json, quiet: parsed.quiet, flags: argv.filter((a) => a.startsWith('-')) };
  let result: Outcome | undefined;
  await runYargs(asYargs, {
    run: async (_e, args) => {
      result = { run: args, by: 'yargs' };
    },
    usage: (line) => {
      // The CLI exits at the first failure; yargs in a test goes on and fails again (the group's demandCommand).
      result ??= { usage: line };
    },
  });
  if (!result) throw new Error(`${argv.join(' ')}: neither ran nor failed`);
  return result;
}

describe('every command x every option x bad values: a usage error naming the flag, never a run', () => {
  it('in-process, through the same parser the CLI runs', async () => {
    const cases = badLines();
    expect(cases.length).toBeGreaterThan(120);
    const wrong: string[] = [];
    for (const c of cases) {
      const o = await outcome(c.args);
      if (!('usage' in o)) wrong.push(`${JSON.stringify(c.args)} ran (${o.by}) with ${JSON.stringify(o.run)}`);
      else if (!o.usage.includes(c.flag) || o.usage.includes('\n')) wrong.push(`${JSON.stringify(c.args)}: ${o.usage}`);
    }
    expect(wrong).toEqual([]);
  }, 60_000);
});

describe('a lone - that is not the value of a string option is left to yargs', () => {
  it.each([[['hook', 'run', '-']], [['check', '-']], [['hook', 'run', '--strict', '-']]])('%j', (line) => {
    expect(parseCommandLine(line).kind).not.toBe('run');
  });
});

describe('the fast path takes only lines yargs takes, with the same values', () => {
  const good = [
    ['check'],
    ['check', 'd', '--live-window', '0', '--run', 'a', '--run', 'b', '-v', '--strict', '--fast', '--full'],
    ['.', '--json', '-q', '--no-color'],
    ['repair', '-n', '--live-window=2.5', '--backups', 'B', '--backup-dir', 'X', 'd'],
    ['repair', '-y', '--force', '--', '-odd'],
    ['recover', '--live-window', '0', 'd'],
    ['undo', '--force', 'd'],
    ['backup', 'd', '--dest', '007', '--keep', '3'],
    ['backups', 'list', '--dest', 'B'],
    ['backups', 'verify', 'snap1', '--dest', 'B'],
    ['backups', 'prune', '--keep', '2', '-n'],
    ['restore', 'snap', '007', '--dest', 'B', '-y'],
    ['du', '--dest', 'B', 'd'],
    ['manifest', 'write', '--fast', '--run', 'r', 'd'],
    ['manifest', 'verify', '-v', 'd'],
    ['hook', 'run', 'a.txt', 'b/c.jsonl', '--strict', '--files0-from', 'names.txt'],
    // What the installed hook runs on every commit: stdin as '-' (yargs hands it over as '').
    ['hook', 'run', '--files0-from', '-'],
    ['hook', 'run', 'a.txt', '--files0-from', '-', '--strict'],
    ['hook', 'install', '--chain'],
    ['hook', 'uninstall'],
  ];
  for (const line of good) {
    it(line.join(' '), async () => {
      const fast = await outcome(line);
      const slow = await outcome(line, true);
      expect('run' in fast && fast.by, JSON.stringify(fast)).toBe('fast');
      expect('run' in slow, JSON.stringify(slow)).toBe(true);
      if (!('run' in fast) || !('run' in slow)) return;
      const keys = Object.keys(slow.run).filter((k) => k !== '$0' && k !== '_' && !/[A-Z]/.test(k));
      for (const k of keys) expect(fast.run[k], k).toEqual(slow.run[k]);
    });
  }
});
