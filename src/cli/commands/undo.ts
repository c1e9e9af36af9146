import { realpath } from 'node:fs/promises';
import { exitCodeFor } from '../../engine/exitCodeFor.js';
import { printJson, runCommand } from '../runCommand.js';
import { makeStyle } from '../style.js';
import { cliContext } from '../cliContext.js';
import type { ArgsOf } from '../options.js';

export type UndoArgs = ArgsOf<'undo'>;

export const undoHandler = (args: UndoArgs) =>
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
      // Conflicts are problems left as they were: exit 4; otherwise the data is back (or there was nothing to undo).
      const exitCode = exitCodeFor({ kind: 'left', problems: outcome?.conflicts.length ?? 0 });
      if (args.json) {
        const { journal, ...rest } = outcome ?? { journal: undefined };
        printJson({ tool: 'trackio-fsck', command: 'undo', dataDir, repair: journal ? { id: journal.id, status: journal.status } : null, ...rest, exitCode });
        return exitCode;
      }
      // --quiet: only what undo could not put back.
      const out = (s: string) => {
        if (!cliContext.quiet) process.stdout.write(s + '\n');
      };
      if (cliContext.quiet) for (const conflict of outcome?.conflicts ?? []) process.stdout.write(conflict + '\n');
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
    }, { writes: 'nothing was changed' });
