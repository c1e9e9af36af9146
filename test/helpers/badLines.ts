import { COMMANDS, OPTIONS, positionalsOf, type CommandName, type OptionSpec, type Rule } from '../../src/cli/options.js';

/** Bad ways to give a value, per rule: `[]` is the flag given last with no value; `=x` is `--flag=x`. */
const BAD: Record<Exclude<Rule, 'none'>, string[][]> = {
  seconds: [['abc'], ['=-5'], ['-5'], ['='], [], ['1x'], ['NaN'], ['Infinity'], ['--json']],
  count: [['x'], ['=0'], ['=1.5'], ['=-1'], ['='], [], ['--json']],
  path: [['='], [], ['--json']],
  id: [['='], [], ['--json']],
};

/** What each command needs besides the option under test, so only that option can be wrong. */
export const BASE: Record<CommandName, string[]> = {
  check: ['check'],
  repair: ['repair', '-y'],
  recover: ['recover'],
  undo: ['undo'],
  backup: ['backup'],
  'backups list': ['backups', 'list'],
  'backups verify': ['backups', 'verify'],
  'backups prune': ['backups', 'prune', '--keep', '1'],
  'backups diff': ['backups', 'diff', 'snap1', 'snap2'],
  restore: ['restore', 'snap', '--yes'],
  du: ['du'],
  'manifest write': ['manifest', 'write'],
  'manifest verify': ['manifest', 'verify'],
  'hook run': ['hook', 'run'],
  'hook install': ['hook', 'install'],
  'hook uninstall': ['hook', 'uninstall'],
  compare: ['compare', 'a', 'b'],
  merge: ['merge', 'b', '-y'],
};

/** Every command x every option with a rule x every bad value, and an empty DIR for each command that takes one. */
export function badLines(): Array<{ args: string[]; flag: string }> {
  const cases: Array<{ args: string[]; flag: string }> = [];
  for (const [name, s] of Object.entries(OPTIONS) as Array<[string, OptionSpec]>) {
    if (!s.rule || s.rule === 'none') continue;
    for (const command of s.commands) {
      const base = command === 'backups prune' && name === 'keep' ? ['backups', 'prune'] : BASE[command];
      for (const bad of BAD[s.rule]) {
        const flag = bad.length === 1 && bad[0]!.startsWith('=') ? [`--${name}${bad[0]}`] : [`--${name}`, ...bad];
        cases.push({ args: [...base, ...flag], flag: `--${name}` });
        // The same value before the positional DIR, where a parser could take DIR for the value.
        if (bad.length === 0 && positionalsOf(command).some(([n]) => n === 'dir') && command !== 'restore') cases.push({ args: [...base, ...flag, '--', 'somedir'], flag: `--${name}` });
      }
    }
  }
  for (const command of COMMANDS) {
    if (positionalsOf(command).some(([n]) => n === 'dir')) cases.push({ args: command === 'restore' ? ['restore', 'snap', '', '--yes'] : [...BASE[command], ''], flag: 'DIR' });
  }
  return cases;
}
