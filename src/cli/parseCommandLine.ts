import { existsSync } from 'node:fs';
import { COMMAND_TABLE, GROUPS, topWords, type CommandEntry } from './commandTable.js';
import { fastParse } from './fastParse.js';
import { needsValue, OPTIONS, optionsOf, POSITIONALS, valueFlags } from './options.js';
import { moveAfterDoubleDash, scanArgv } from './scanArgv.js';
import { closest } from './suggest.js';

/** What a command line asks for: a command to run, a usage error to report, or yargs' own output. */
export type Parsed =
  | { kind: 'run'; entry: CommandEntry; args: Record<string, unknown>; command: string; json: boolean; quiet: boolean }
  | { kind: 'usage'; message: string; usage?: string; command: string; json: boolean }
  | { kind: 'yargs'; argv: string[]; entry: CommandEntry | undefined; command: string; json: boolean; quiet: boolean; flags: string[] };

/** Which command the words name (`backups list`), or the default `check` (`trackio-fsck DIR`). */
function commandOf(words: string[]): { entry: CommandEntry | undefined; wordsUsed: number } {
  const first = words[0];
  if (first === undefined) return { entry: COMMAND_TABLE[0], wordsUsed: 0 };
  if (GROUPS[first]) return { entry: COMMAND_TABLE.find((c) => c.name === `${first} ${words[1]}`), wordsUsed: 2 };
  const named = COMMAND_TABLE.find((c) => c.name === first);
  if (named) return { entry: named, wordsUsed: 1 };
  return { entry: topWords().includes(first) ? undefined : COMMAND_TABLE[0], wordsUsed: 0 };
}

/** `usage: trackio-fsck restore SNAPSHOT [DIR] [options]; ...`: the short form a typo gets. */
export function usageLine(entry: CommandEntry | undefined): string {
  if (!entry) return 'usage: trackio-fsck <command> [DIR] [options]; trackio-fsck --help lists the commands';
  const group = entry.name.includes(' ') ? `${entry.name.split(' ')[0]} ` : '';
  const words = `${group}${entry.usage}`.replace(/\[dir\]/, '[DIR]').replace(/<snapshot>/, 'SNAPSHOT').replace(/\[name\]/, '[NAME]').replace(/\[files\.\.\]/, '[FILES...]');
  return `usage: trackio-fsck ${words} [options]; trackio-fsck ${entry.name} --help lists them`;
}

/**
 * Reads the command line the way a user means it: the words after `--` are positionals; an unknown
 * first word is a typo of a command unless a folder of that name exists (then it is the DIR of the
 * default command); a line that names a command with valid options is parsed here from the option
 * table, without loading yargs. Anything else (help, completion, bad options) goes to yargs.
 */
export function parseCommandLine(raw: readonly string[]): Parsed {
  // `--dest -- DIR`: the option has no value (`--` ends options); DIR must not become it.
  const beforeDash = raw[raw.indexOf('--') - 1];
  const dangling = raw.includes('--') && beforeDash !== undefined && valueFlags().has(beforeDash) ? beforeDash : undefined;
  // `trackio-fsck help [command]` is `trackio-fsck [command] --help`, as in git.
  if (raw[0] === 'help') return parseCommandLine([...raw.slice(1), '--help']);
  const argv = moveAfterDoubleDash(raw);
  const { words, flags } = scanArgv(argv, valueFlags());
  const json = flags.includes('--json') || flags.includes('--json=true');
  const quiet = flags.includes('--quiet') || flags.includes('-q');
  const { entry, wordsUsed } = commandOf(words);
  const first = words[0];
  const completing = argv.includes('--get-yargs-completions') || first === 'completion';
  if (!completing && first !== undefined && !topWords().includes(first) && !first.includes('/') && !existsSync(first)) {
    const guess = closest(first, topWords());
    const message = `unknown command "${first}"${guess ? `, did you mean "${guess}"?` : ` (and no folder ${first} here); commands: ${topWords().join(', ')}`}`;
    return { kind: 'usage', message, usage: usageLine(undefined), command: first, json };
  }
  if (!completing && first !== undefined && GROUPS[first] && words[1] !== undefined && !entry) {
    const subs = COMMAND_TABLE.filter((c) => c.name.startsWith(`${first} `)).map((c) => c.name.split(' ')[1]!);
    const guess = closest(words[1], subs);
    const message = `unknown command "${first} ${words[1]}"${guess ? `, did you mean "${first} ${guess}"?` : `; ${first} commands: ${subs.join(', ')}`}`;
    return { kind: 'usage', message, usage: usageLine(undefined), command: `${first} ${words[1]}`, json };
  }
  const command = entry?.name ?? words.slice(0, first && GROUPS[first] ? 2 : 1).join(' ');
  if (dangling) {
    const name = dangling.startsWith('--') ? dangling.slice(2) : Object.entries(OPTIONS).find(([, s]) => 'alias' in s && `-${s.alias}` === dangling)?.[0] ?? dangling;
    return { kind: 'usage', message: needsValue(name), command, json };
  }
  const wantsYargs = completing || flags.some((f) => f === '-h' || f === '--help' || f === '--version');
  if (entry && !wantsYargs) {
    const args = fastParse(argv, entry, wordsUsed);
    if (args) return { kind: 'run', entry, args, command, json, quiet };
  }
  return { kind: 'yargs', argv, entry, command, json, quiet, flags };
}

/** yargs' failure messages, said the way the rest of trackio-fsck says things, with a guess for a typo. */
export function explainYargsFailure(message: string, entry: CommandEntry | undefined, flags: string[], groupWord?: string): { line: string; withUsage: boolean } {
  const unknown = /^Unknown arguments?: (.*)$/.exec(message);
  if (unknown) {
    // yargs lists `--no-such-flag` as such-flag and suchFlag: one name per flag, as written.
    const names = [...new Set(unknown[1]!.split(', ').map((n) => n.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)))];
    const known = entry ? [...optionsOf(entry.name), ...optionsOf(entry.name, { global: true })].map(([n]) => n as string).concat('help', 'version') : [];
    const said = names.map((name) => {
      const written = flags.find((f) => {
        const bare = f.replace(/^-+/, '').split('=')[0]!;
        return bare === name || bare === `no-${name}`;
      });
      if (!written) return `unexpected argument "${name}"`;
      const flag = written.split('=')[0]!;
      const guess = closest(flag.replace(/^-+/, ''), known);
      return `unknown option ${flag}${guess ? ` (did you mean --${guess}?)` : ''}`;
    });
    return { line: said.join('; '), withUsage: true };
  }
  const noValue = /^Not enough arguments following: (\S+)$/.exec(message);
  if (noValue) return { line: needsValue(noValue[1]!), withUsage: false };
  const missing = /^Missing required arguments?: (.*)$/.exec(message);
  if (missing) return { line: missing[1]!.split(', ').map((n) => `--${n} is required`).join('; '), withUsage: true };
  const exclusive = /^Arguments (\S+) and (\S+) are mutually exclusive$/.exec(message);
  if (exclusive) return { line: `--${exclusive[1]} and --${exclusive[2]} cannot be given together`, withUsage: false };
  const group = entry === undefined ? Object.keys(GROUPS).find((g) => message.includes(g) || groupWord === g) : undefined;
  if (group && /^Not enough non-option arguments|^name a /.test(message)) {
    const subs = COMMAND_TABLE.filter((c) => c.name.startsWith(`${group} `)).map((c) => c.name.split(' ')[1]!);
    return { line: `name a ${group} command: ${subs.join(', ')}`, withUsage: false };
  }
  if (/^Not enough non-option arguments/.test(message)) {
    const needed = entry ? Object.values(POSITIONALS).filter((p) => 'required' in p && (p.commands as readonly string[]).includes(entry.name)).map((p) => p.value) : [];
    return { line: `${entry?.name ?? 'this command'} needs ${needed.join(' ') || 'more arguments'}`, withUsage: true };
  }
  return { line: message.split('\n')[0]!, withUsage: false };
}
