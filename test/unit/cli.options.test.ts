import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { commandLine, shellQuote } from '../../src/engine/commandLine.js';
import { COMMAND_TABLE } from '../../src/cli/commandTable.js';
import { COMMANDS, coerceValue, OPTIONS, optionsOf, positionalsOf, UsageError, valueFlags, type OptionSpec } from '../../src/cli/options.js';
import { fillOptionBlocks } from '../../src/cli/optionsTable.js';
import { moveAfterDoubleDash, scanArgv } from '../../src/cli/scanArgv.js';
import { colorWanted } from '../../src/cli/style.js';
import { closest } from '../../src/cli/suggest.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
const spec = (name: keyof typeof OPTIONS) => OPTIONS[name] as OptionSpec;

describe('the option table', () => {
  it('every command of the CLI is in the table and has a builder entry, and the other way round', () => {
    expect(COMMAND_TABLE.map((c) => c.name).sort()).toEqual([...COMMANDS].sort());
  });

  it('no two options of one command share a name or an alias', () => {
    for (const command of COMMANDS) {
      const names = [...optionsOf(command), ...optionsOf(command, { global: true })].flatMap(([n, s]) => [n, ...(s.alias ? [s.alias] : [])]);
      expect(new Set(names).size, command).toBe(names.length);
    }
  });

  it('every option that takes a value has a rule or says why not, and a value name for the README', () => {
    for (const [name, s] of Object.entries(OPTIONS) as Array<[string, OptionSpec]>) {
      if (s.type === 'boolean') continue;
      expect(s.value, name).toBeTruthy();
      if (name !== 'files0-from') expect(s.rule, name).toBeTruthy();
    }
  });

  it('DIR is declared once and taken by every command that works on a data dir', () => {
    const withDir = COMMANDS.filter((c) => positionalsOf(c).some(([n]) => n === 'dir'));
    expect(withDir.sort()).toEqual(['backup', 'check', 'du', 'manifest verify', 'manifest write', 'merge', 'recover', 'repair', 'restore', 'undo']);
  });
});

describe('values: what the rules refuse (UsageError: one line, exit 16) and what they take', () => {
  const refuse = (flag: string, s: OptionSpec, raw: unknown) => {
    expect(() => coerceValue(flag, s, raw), `${flag} ${JSON.stringify(raw)}`).toThrow(UsageError);
    try {
      coerceValue(flag, s, raw);
    } catch (e) {
      expect((e as Error).message).not.toContain('\n');
      expect((e as Error).message).toContain(flag);
    }
  };

  it('seconds: a finite number >= 0', () => {
    for (const bad of ['abc', '', true, '-5', -5, 'NaN', 'Infinity', '1x', '0x10', ' ', ['1', '2'], Number.NaN]) refuse('--live-window', spec('live-window'), bad);
    expect(coerceValue('--live-window', spec('live-window'), '0')).toBe(0);
    expect(coerceValue('--live-window', spec('live-window'), 2.5)).toBe(2.5);
    expect(coerceValue('--live-window', spec('live-window'), '1e2')).toBe(100);
  });

  it('count: a whole number >= 1', () => {
    for (const bad of ['x', '', true, '0', 0, '1.5', -1, '-1']) refuse('--keep', spec('keep'), bad);
    expect(coerceValue('--keep', spec('keep'), 3)).toBe(3);
  });

  it('paths and run ids: not empty, not missing, not given twice where one is taken', () => {
    for (const bad of ['', undefined, ['a', 'b']]) refuse('--dest', spec('dest'), bad);
    for (const bad of [[], [''], ['a', '']]) refuse('--run', spec('run'), bad);
    expect(coerceValue('--dest', spec('dest'), 'b c')).toBe('b c');
    expect(coerceValue('--run', spec('run'), ['a', 'b'])).toEqual(['a', 'b']);
  });
});

describe('the command line before yargs', () => {
  const flags = valueFlags();
  it('positional words are told from option values', () => {
    expect(scanArgv(['--dest', 'B', 'backups', 'list'], flags).words).toEqual(['backups', 'list']);
    expect(scanArgv(['chek', 'demo', '--json'], flags)).toEqual({ words: ['chek', 'demo'], flags: ['--json'] });
    expect(scanArgv(['check', '--live-window', '-5', 'd'], flags).words).toEqual(['check', 'd']);
    expect(scanArgv(['check', '--keep', '--json'], flags).words).toEqual(['check']);
    expect(scanArgv(['repair', '-y', '--', '-odd', 'x'], flags).words).toEqual(['repair', '-odd', 'x']);
  });

  it('words after -- are positionals, never options', () => {
    expect(moveAfterDoubleDash(['repair', '-y', '--', 'DIR'])).toEqual(['repair', '-y', 'DIR']);
    expect(moveAfterDoubleDash(['check', '--', '--json'])).toEqual(['check', './--json']);
    expect(moveAfterDoubleDash(['check', 'd'])).toEqual(['check', 'd']);
  });

  it('a typo gets the nearest name, a word far from every name gets none', () => {
    const commands = ['check', 'repair', 'recover', 'undo', 'backup', 'backups', 'restore', 'du', 'manifest', 'hook'];
    expect(closest('chek', commands)).toBe('check');
    expect(closest('repiar', commands)).toBe('repair');
    expect(closest('restor', commands)).toBe('restore');
    expect(closest('xyzzy', commands)).toBeUndefined();
    expect(closest('jsno', ['json', 'quiet', 'color', 'run'])).toBe('json');
    expect(closest('live-windw', ['live-window', 'verbose'])).toBe('live-window');
  });
});

describe('colour', () => {
  it('off for --no-color, NO_COLOR, FORCE_COLOR=0, TERM=dumb and a non-terminal; FORCE_COLOR=1 and --color turn it on', () => {
    expect(colorWanted(true, undefined, {})).toBe(true);
    expect(colorWanted(false, undefined, {})).toBe(false);
    expect(colorWanted(true, false, {})).toBe(false);
    expect(colorWanted(true, undefined, { NO_COLOR: '1' })).toBe(false);
    expect(colorWanted(true, undefined, { FORCE_COLOR: '0' })).toBe(false);
    expect(colorWanted(true, true, { FORCE_COLOR: '0' })).toBe(false);
    expect(colorWanted(true, undefined, { TERM: 'dumb' })).toBe(false);
    expect(colorWanted(false, undefined, { FORCE_COLOR: '1' })).toBe(true);
    expect(colorWanted(false, true, {})).toBe(true);
  });
});

describe('hints', () => {
  it('a command line quotes what a shell would split or expand', () => {
    expect(commandLine('repair', '--dry-run', '/data/runs')).toBe('trackio-fsck repair --dry-run /data/runs');
    expect(commandLine('repair', undefined, false, '', 'a b')).toBe("trackio-fsck repair 'a b'");
    expect(shellQuote("it's $HOME")).toBe(`'it'\\''s $HOME'`);
  });
});

describe('docs/options.md', () => {
  it('its option tables are the ones the table makes (npm run docs:options rewrites them)', () => {
    const readme = readFileSync(join(ROOT, 'docs', 'options.md'), 'utf8');
    expect(fillOptionBlocks(readme) === readme, 'docs/options.md option tables are stale: run npm run docs:options').toBe(true);
    for (const c of [...COMMANDS.filter((c) => c !== 'hook uninstall'), 'global']) expect(readme, c).toContain(`<!-- options:${c} -->`);
  });
});
