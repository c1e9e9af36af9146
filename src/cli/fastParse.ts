import yargsParser from 'yargs-parser';
import type { CommandEntry } from './commandTable.js';
import { coerceValue, optionsOf, positionalsOf, type OptionSpec } from './options.js';

/**
 * The command line of a command that will run, parsed from the option table with yargs-parser
 * alone: yargs (help, completion, usage messages) costs more to load than a check of an empty data
 * dir takes. Returns undefined whenever anything is unusual (an unknown or conflicting option, a
 * bad value, a missing one, help): main.ts then hands the whole line to yargs, which says what is
 * wrong. So this path only ever accepts a line yargs would accept too, with the same values.
 */
export function fastParse(argv: readonly string[], entry: CommandEntry, commandWords: number): Record<string, unknown> | undefined {
  const specs: Array<[string, OptionSpec]> = [...optionsOf(entry.name, { global: true }), ...optionsOf(entry.name)];
  const opts: yargsParser.Options = { boolean: [], string: [], array: [], alias: {}, default: {}, coerce: {}, narg: {}, configuration: { 'parse-positional-numbers': false, 'greedy-arrays': false } };
  const known = new Set<string>(['_', '$0']);
  for (const [name, s] of specs) {
    known.add(name).add(yargsParser.camelCase(name));
    if (s.type === 'boolean') opts.boolean!.push(name);
    if (s.type === 'string') opts.string!.push(name);
    if (s.array) (opts.array as string[]).push(name);
    if (s.alias) {
      opts.alias![name] = [s.alias];
      known.add(s.alias);
    }
    if (s.default !== undefined) opts.default![name] = s.default;
    if (s.type !== 'boolean') opts.coerce![name] = (raw: unknown) => coerceValue(`--${name}`, s, raw);
    if (s.type !== 'boolean' && s.rule) opts.narg![name] = 1;
  }
  // A lone '-' (stdin) as the value of a string option (`hook run --files0-from -`, what the
  // installed hook runs on every commit) reaches the command as '' under yargs, and is no
  // positional: the same here. Any other lone '-' is left to yargs.
  const line = argv.map((a, i) => (a === '-' && i > 0 && specs.some(([name, s]) => s.type === 'string' && !s.array && argv[i - 1] === `--${name}`) ? '' : a));
  if (line.includes('-')) return undefined;
  const parsed = yargsParser.detailed(line, opts);
  if (parsed.error) return undefined;
  const args = parsed.argv as Record<string, unknown> & { _: Array<string | number> };
  for (const key of Object.keys(args)) if (!known.has(key)) return undefined;
  for (const [name, s] of specs) {
    if (s.requiredFor?.includes(entry.name) && args[name] === undefined) return undefined;
    if (args[name] === true && s.type !== 'boolean') return undefined;
    for (const other of s.conflicts ?? []) if (args[name] !== undefined && args[other] !== undefined && specs.some(([n]) => n === other)) return undefined;
  }
  // yargs-parser turns number-looking words into numbers: positionals are strings.
  const words = args._.slice(commandWords).map(String);
  for (const [name, p] of positionalsOf(entry.name)) {
    if (p.array) {
      args[name] = words.splice(0);
      continue;
    }
    const word = words.shift();
    if (word === undefined) {
      if (p.required) return undefined;
      continue;
    }
    if (word === '' && p.rule) return undefined;
    args[name] = word;
  }
  if (words.length > 0) return undefined;
  args._ = args._.slice(0, commandWords);
  return args;
}
