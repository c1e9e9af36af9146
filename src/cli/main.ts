import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { EXIT } from '../engine/report.js';
import { VERSION } from '../engine/version.js';
import { checkCommand } from './commands/check.js';
import { hookCommand } from './commands/hook.js';
import { recoverCommand } from './commands/recover.js';
import { repairCommand } from './commands/repair.js';
import { undoCommand } from './commands/undo.js';
import { backupCommand } from './commands/backup.js';
import { backupsCommand } from './commands/backups.js';
import { restoreCommand } from './commands/restore.js';
import { duCommand } from './commands/du.js';
import { manifestCommand } from './commands/manifest.js';
import { compareCommand } from './commands/compare.js';

// `trackio-fsck check | head` closes the pipe early: that is the reader's choice, not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});

// A thin shell: options and help live here, every command's work lives in the engine.
await yargs(hideBin(process.argv))
  .scriptName('trackio-fsck')
  .usage('$0 [command] [DIR]\n\nfsck for experiment-tracking data. Exit codes (fsck(8)): 0 clean, 1 corrected, 4 left uncorrected, 8 operational error, 16 usage error, 32 cancelled.')
  .command(checkCommand)
  .command(repairCommand)
  .command(recoverCommand)
  .command(undoCommand)
  .command(hookCommand)
  .command(backupCommand)
  .command(backupsCommand)
  .command(restoreCommand)
  .command(duCommand)
  .command(manifestCommand)
  .command(compareCommand)
  .option('json', { type: 'boolean', default: false, describe: 'print one JSON report on stdout' })
  .option('color', { type: 'boolean', describe: 'colour output (default: when stdout is a TTY and NO_COLOR is unset)' })
  .version(VERSION)
  .help()
  .alias('h', 'help')
  .strict()
  .wrap(Math.min(100, process.stdout.columns ?? 80))
  // Handlers catch their own failures (runCommand), so whatever reaches here is bad usage.
  // The usage of the command that was meant goes to stderr, then the one line that says what was wrong.
  .fail((msg, err, y) => {
    y.showHelp((usage: string) => process.stderr.write(`${usage}\n\n`));
    process.stderr.write(`trackio-fsck: ${msg ?? err?.message}\n`);
    process.exit(EXIT.usage);
  })
  .parseAsync();
