import { cliContext } from './cliContext.js';
import { parseCommandLine } from './parseCommandLine.js';
import { usageError } from './usageError.js';

// `trackio-fsck check | head` closes the pipe early: that is the reader's choice, not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});

/**
 * A thin shell: the option table says what the line means; the command's module, loaded only
 * now, does the work through the engine; yargs is loaded only for help, completion and mistakes.
 * A function, not top-level await, so the CLI can be bundled as one CommonJS script (whose
 * compiled code V8 can cache; see scripts/bundle-cli.mjs).
 */
async function main(): Promise<void> {
  const parsed = parseCommandLine(process.argv.slice(2));
  cliContext.command = parsed.command;
  cliContext.json = parsed.json;
  cliContext.quiet = parsed.kind !== 'usage' && parsed.quiet;
  if (parsed.kind === 'usage') usageError(parsed.message, parsed.usage);
  else if (parsed.kind === 'run') await (await parsed.entry.load())(parsed.args);
  else await (await import('./runYargs.js')).runYargs(parsed);
}

// A failure that escapes runCommand is a bug; it surfaces as an unhandled rejection, as before.
void main();
