import { realpath } from 'node:fs/promises';
import type { Argv, CommandModule } from 'yargs';
import { EXIT } from '../../engine/report.js';
import { printJson, runCommand } from '../runCommand.js';
import { makeStyle } from '../style.js';

export interface UndoArgs {
  dir?: string;
  force: boolean;
  json: boolean;
  color?: boolean;
}

export const undoCommand: CommandModule<object, UndoArgs> = {
  command: 'undo [dir]',
  describe: 'return to the exact bytes from before the last repair (finished or interrupted)',
  builder: (y) =>
    y
      .positional('dir', { type: 'string', describe: 'data dir (holds runs/) or a folder holding .trackio/' })
      .option('force', { type: 'boolean', default: false, describe: 'also restore files changed after the repair (their current bytes are kept), and take the lock from another repair' }) as unknown as Argv<UndoArgs>,
  handler: (args) =>
    runCommand(async () => {
      const [{ findDataDir }, { undoRepair }, { renderUndo }] = await Promise.all([
        import('../../engine/layouts/findDataDir.js'),
        import('../../engine/repair/undoRepair.js'),
        import('../render/renderPlan.js'),
      ]);
      const c = makeStyle(process.stdout, args.color);
      const dataDir = await realpath(findDataDir(args.dir).dataDir);
      const outcome = await undoRepair(dataDir, {
        command: args.force ? 'undo --force' : 'undo',
        force: args.force,
        onEvent: (e) => process.stdout.write(c.yellow(`note: took over the lock of ${e.owner.command} (pid ${e.owner.pid}), which is no longer running\n`)),
      });
      const exitCode = outcome && outcome.conflicts.length > 0 ? EXIT.uncorrected : EXIT.clean;
      if (args.json) {
        const { journal, ...rest } = outcome ?? { journal: undefined };
        printJson({ tool: 'trackio-fsck', command: 'undo', dataDir, repair: journal ? { id: journal.id, status: journal.status } : null, ...rest, exitCode });
        return exitCode;
      }
      const out = (s: string) => process.stdout.write(s + '\n');
      out(`${c.bold('trackio-fsck undo')} ${dataDir}`);
      if (!outcome) out('No repair to undo.');
      else if (outcome.alreadyUndone) out(`The last repair (${outcome.journal.id}) was already undone; nothing to do.`);
      else {
        out(`Undoing repair ${outcome.journal.id} (${outcome.journal.command}, ${outcome.journal.created}):`);
        const body = renderUndo(outcome, c);
        out(body || '  nothing had been changed yet');
        out(
          outcome.conflicts.length === 0
            ? c.green(`The data dir is back to its bytes from before the repair. The backup stays in ${outcome.journal.backupDir}.`)
            : c.red(`${outcome.conflicts.length} left as they are; run trackio-fsck undo --force to replace them too.`),
        );
      }
      return exitCode;
    }, { writes: 'nothing was changed' }),
};
