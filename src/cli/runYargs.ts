import yargs, { type Argv, type CommandModule } from 'yargs';
import { VERSION } from '../engine/version.js';
import { applyGlobalOptions, applyOptions } from './applyOptions.js';
import { COMMAND_TABLE, GROUPS, type CommandEntry } from './commandTable.js';
import type { CommandName } from './options.js';
import { explainYargsFailure, usageLine, type Parsed } from './parseCommandLine.js';
import { usageError } from './usageError.js';

/** Where the outcome goes; tests pass their own to see what a line would do without doing it. */
export interface YargsHooks {
  run(entry: CommandEntry, args: Record<string, unknown>): Promise<void>;
  usage(line: string, usage?: string): void;
}

const REAL: YargsHooks = {
  run: async (entry, args) => (await entry.load())(args),
  usage: (line, usage) => usageError(line, usage),
};

function commandModule(entry: CommandEntry, name: CommandName, hooks: YargsHooks): CommandModule {
  return {
    command: name === 'check' ? [entry.usage, '$0 [dir]'] : entry.usage,
    describe: entry.describe,
    builder: (y: Argv) => applyOptions(y, name),
    // The command's code is loaded only now: start-up pays for one command, not twelve.
    handler: (args) => hooks.run(entry, args),
  };
}

function group(word: string, hooks: YargsHooks): CommandModule {
  const subs = COMMAND_TABLE.filter((c) => c.name.startsWith(`${word} `));
  return {
    command: `${word} <command>`,
    describe: GROUPS[word]!,
    builder: (y: Argv) => {
      let a = y;
      for (const s of subs) a = a.command(commandModule(s, s.name, hooks));
      return a.demandCommand(1, `name a ${word} command: ${subs.map((s) => s.name.split(' ')[1]).join(', ')}`);
    },
    handler: () => {},
  };
}

/**
 * The full yargs CLI, built from the same tables: for help, completion, and every line the fast
 * path did not take, so that what is wrong with it is said by one place (explainYargsFailure).
 */
export async function runYargs(parsed: Extract<Parsed, { kind: 'yargs' }>, hooks: YargsHooks = REAL): Promise<void> {
  let cli = yargs(parsed.argv)
    // `--run a DIR`: one value per --run (repeat it for more), as the fast path reads it.
    .parserConfiguration({ 'greedy-arrays': false })
    .scriptName('trackio-fsck')
    .usage('$0 [command] [DIR]\n\nfsck for experiment-tracking data. Exit codes (fsck(8)): 0 clean, 1 corrected, 4 left uncorrected, 8 operational error, 16 usage error, 32 cancelled.');
  const seenGroups = new Set<string>();
  for (const entry of COMMAND_TABLE) {
    const word = entry.name.split(' ')[0]!;
    if (!entry.name.includes(' ')) cli = cli.command(commandModule(entry, entry.name, hooks));
    else if (!seenGroups.has(word)) {
      seenGroups.add(word);
      cli = cli.command(group(word, hooks));
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
      const { line, withUsage } = explainYargsFailure(msg ?? err?.message ?? 'bad usage', parsed.entry, parsed.flags, parsed.command.split(' ')[0]);
      hooks.usage(line, withUsage ? usageLine(parsed.entry) : undefined);
    })
    .exitProcess(hooks === REAL)
    .parseAsync();
}
