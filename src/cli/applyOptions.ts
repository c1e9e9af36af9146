import type { Argv, Options, PositionalOptions } from 'yargs';
import { coerceValue, describeOf, optionsOf, positionalsOf, type CommandName, type OptionSpec, type PositionalSpec } from './options.js';

/** The yargs declaration of one option of the table, for `command` (undefined: the global ones). */
export function yargsOption(name: string, spec: OptionSpec, command: CommandName | undefined): Options {
  const o: Options = { describe: describeOf(spec, command) };
  // Numbers are declared without a type: yargs would turn "abc" into NaN before the rule sees it,
  // and a missing value into NaN too; untyped, the rule sees what was written (or `true`).
  if (spec.type !== 'number') o.type = spec.type;
  if (spec.alias) o.alias = spec.alias;
  if (spec.array) o.array = true;
  if (spec.default !== undefined) o.default = spec.default;
  // A value flag given last or before another flag is an error, not its default (yargs would
  // otherwise keep --live-window's 60 for a bare `--live-window`). No rule: `--files0-from -`.
  if (spec.type !== 'boolean' && spec.rule) o.requiresArg = true;
  if (spec.type !== 'boolean') o.coerce = (raw: unknown) => coerceValue(`--${name}`, spec, raw);
  if (command && spec.requiredFor?.includes(command)) o.demandOption = true;
  return o;
}

function yargsPositional(spec: PositionalSpec, command: CommandName): PositionalOptions {
  const p: PositionalOptions = { type: spec.type, describe: describeOf(spec, command) };
  if (spec.array) p.array = true;
  if (spec.required) p.demandOption = true;
  if (spec.rule) p.coerce = (raw: unknown) => (raw === undefined ? raw : coerceValue(spec.value, spec, raw));
  return p;
}

/** A command's builder: its positionals and options, all from the one table. */
export function applyOptions<T>(y: Argv<T>, command: CommandName): Argv<T> {
  let a = y;
  for (const [name, spec] of positionalsOf(command)) a = a.positional(name, yargsPositional(spec, command)) as Argv<T>;
  const mine = optionsOf(command);
  for (const [name, spec] of mine) a = a.option(name, yargsOption(name, spec, command)) as Argv<T>;
  const names = new Set(mine.map(([n]) => n as string));
  for (const [name, spec] of mine) {
    const others = (spec.conflicts ?? []).filter((o) => names.has(o));
    if (others.length > 0) a = a.conflicts(name, others) as Argv<T>;
  }
  return a;
}

/** The options every command takes, declared once at the top. */
export function applyGlobalOptions<T>(y: Argv<T>): Argv<T> {
  let a = y;
  // Global options are taken by every command; check's list of them is the list.
  for (const [name, spec] of optionsOf('check', { global: true })) a = a.option(name, yargsOption(name, spec, undefined)) as Argv<T>;
  return a;
}
