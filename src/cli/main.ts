import { existsSync } from 'node:fs';
import yargs, { type Argv, type CommandModule } from 'yargs';
import { hideBin } from 'yargs/helpers';
import { EXIT } from '../engine/report.js';
import { VERSION } from '../engine/version.js';
import { applyGlobalOptions, applyOptions } from './applyOptions.js';
import { cliContext } from './cliContext.js';
import { COMMAND_TABLE, GROUPS, topWords, type CommandEntry } from './commandTable.js';
import { errorEnvelope } from './jsonEnvelope.js';
import { needsValue, optionsOf, POSITIONALS, valueFlags, type CommandName } from './options.js';
import { moveAfterDoubleDash, scanArgv } from './scanArgv.js';
import { closest } from './suggest.js';

// `trackio-fsck check | head` closes the pipe early: that is the reader's choice, not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});

const argv = moveAfterDoubleDash(hideBin(process.argv));
const { words, flags } = scanArgv(argv, valueFlags());
const completing = argv.includes('--get-yargs-completions');
cliContext.json = flags.includes('--json') || flags.includes('--json=true');
cliContext.quiet = flags.includes('--quiet') || flags.includes('-q');

/** Which command the words name (`backups list`), or the default `check` (`trackio-fsck DIR`). */
function commandOf(ws: string[]): CommandEntry | undefined {
  const first = ws[0];
  if (first === undefined) return COMMAND_TABLE[0];
  if (GROUPS[first]) return COMMAND_TABLE.find((c) => c.name === `${first} ${ws[1]}`);
  return COMMAND_TABLE.find((c) => c.name === first) ?? (topWords().includes(first) ? undefined : COMMAND_TABLE[0]);
}
const meant = commandOf(words);
cliContext.command = meant?.name ?? words.slice(0, GROUPS[words[0] ?? ''] ? 2 : 1).join(' ');

function usageLine(entry: CommandEntry | null | undefined): string {
  if (!entry) return 'usage: trackio-fsck <command> [DIR] [options]; trackio-fsck --help lists the commands';
  const group = entry.name.includes(' ') ? `${entry.name.split(' ')[0]} ` : '';
  const words = `${group}${entry.usage}`.replace(/\[dir\]/, '[DIR]').replace(/<snapshot>/, 'SNAPSHOT');
  return `usage: trackio-fsck ${words} [options]; trackio-fsck ${entry.name} --help lists them`;
}

/** A usage error: one line saying what was wrong (and, for an unknown word, the usage), exit 16. */
function usageError(message: string, withUsage = false, entry: CommandEntry | null | undefined = meant): never {
  process.stderr.write(`trackio-fsck: ${message}\n`);
  if (withUsage) process.stderr.write(`${usageLine(entry)}\n`);
  if (cliContext.json) process.stdout.write(JSON.stringify(errorEnvelope(message, EXIT.usage), null, 2) + '\n');
  process.exit(EXIT.usage);
}

// An unknown first word is not a DIR for the default command unless it is one: `chek demo` is a
// typo of `check`, while `trackio-fsck runs-copy` (an existing folder) checks that folder.
if (!completing) {
  const first = words[0];
  if (first !== undefined && !topWords().includes(first) && !first.includes('/') && !existsSync(first)) {
    const guess = closest(first, topWords());
    cliContext.command = first;
    usageError(`unknown command "${first}"${guess ? `, did you mean "${guess}"?` : ` (and no folder ${first} here); commands: ${topWords().join(', ')}`}`, true, null);
  }
  if (first !== undefined && GROUPS[first] && words[1] !== undefined && !meant) {
    const subs = COMMAND_TABLE.filter((c) => c.name.startsWith(`${first} `)).map((c) => c.name.split(' ')[1]!);
    const guess = closest(words[1], subs);
    cliContext.command = `${first} ${words[1]}`;
    usageError(`unknown command "${first} ${words[1]}"${guess ? `, did you mean "${first} ${guess}"?` : `; ${first} commands: ${subs.join(', ')}`}`, true, null);
  }
}

/** yargs' messages, said the way the rest of trackio-fsck says things, with a guess for a typo. */
function explain(message: string): { line: string; withUsage: boolean } {
  const unknown = /^Unknown arguments?: (.*)$/.exec(message);
  if (unknown) {
    const names = unknown[1]!.split(', ');
    const known = meant ? [...optionsOf(meant.name), ...optionsOf(meant.name, { global: true })].map(([n]) => n as string).concat('help', 'version') : [];
    const said = names.map((name) => {
      const written = flags.find((f) => f.replace(/^-+/, '').split('=')[0] === name);
      if (!written) return `unexpected argument "${name}"`;
      const guess = closest(name, known);
      return `unknown option ${written.split('=')[0]}${guess ? ` (did you mean --${guess}?)` : ''}`;
    });
    return { line: said.join('; '), withUsage: true };
  }
  const noValue = /^Not enough arguments following: (\S+)$/.exec(message);
  if (noValue) return { line: needsValue(noValue[1]!), withUsage: false };
  const missing = /^Missing required arguments?: (.*)$/.exec(message);
  if (missing) return { line: missing[1]!.split(', ').map((n) => `--${n} is required`).join('; '), withUsage: true };
  const exclusive = /^Arguments (\S+) and (\S+) are mutually exclusive$/.exec(message);
  if (exclusive) return { line: `--${exclusive[1]} and --${exclusive[2]} cannot be given together`, withUsage: false };
  if (/^Not enough non-option arguments/.test(message)) {
    const needed = meant ? Object.entries(POSITIONALS).filter(([, p]) => 'required' in p && p.commands.includes(meant.name as never)).map(([, p]) => p.value) : [];
    return { line: `${meant?.name ?? 'this command'} needs ${needed.join(' ') || 'more arguments'}`, withUsage: true };
  }
  return { line: message.split('\n')[0]!, withUsage: false };
}

function commandModule(entry: CommandEntry, name: CommandName): CommandModule {
  return {
    command: name === 'check' ? [entry.usage, '$0 [dir]'] : entry.usage,
    describe: entry.describe,
    builder: (y: Argv) => applyOptions(y, name),
    // The command's code is loaded only now: start-up pays for one command, not twelve.
    handler: async (args) => (await entry.load())(args),
  };
}

function group(word: string): CommandModule {
  const subs = COMMAND_TABLE.filter((c) => c.name.startsWith(`${word} `));
  return {
    command: `${word} <command>`,
    describe: GROUPS[word]!,
    builder: (y: Argv) => {
      let a = y;
      for (const s of subs) a = a.command(commandModule(s, s.name));
      return a.demandCommand(1, `name a ${word} command: ${subs.map((s) => s.name.split(' ')[1]).join(', ')}`);
    },
    handler: () => {},
  };
}

let cli = yargs(argv)
  .scriptName('trackio-fsck')
  .usage('$0 [command] [DIR]\n\nfsck for experiment-tracking data. Exit codes (fsck(8)): 0 clean, 1 corrected, 4 left uncorrected, 8 operational error, 16 usage error, 32 cancelled.');
const seenGroups = new Set<string>();
for (const entry of COMMAND_TABLE) {
  const word = entry.name.split(' ')[0]!;
  if (!entry.name.includes(' ')) cli = cli.command(commandModule(entry, entry.name));
  else if (!seenGroups.has(word)) {
    seenGroups.add(word);
    cli = cli.command(group(word));
  }
}
await applyGlobalOptions(cli)
  .completion('completion', 'print a bash/zsh completion script (source <(trackio-fsck completion))')
  .version(VERSION)
  .help()
  .alias('h', 'help')
  .strict()
  .wrap(Math.min(100, process.stdout.columns ?? 80))
  // Handlers catch their own failures (runCommand), so whatever reaches here is bad usage.
  .fail((msg, err) => {
    const { line, withUsage } = explain(msg ?? err?.message ?? 'bad usage');
    usageError(line, withUsage);
  })
  .parseAsync();
