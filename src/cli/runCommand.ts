import { FsckError } from '../engine/errors.js';
import { describeIoError } from '../engine/fs/describeIoError.js';
import { catchInterrupts, dataState, noteDataState } from '../engine/fs/interrupt.js';
import { EXIT } from '../engine/report.js';

export interface CommandOptions {
  /**
   * A command that may write: Ctrl-C stops it at a safe point (exit 32), and it starts out with its
   * data in this state ("nothing was changed"), which it updates as it goes (noteDataState).
   */
  writes?: string;
}

/**
 * Runs a command's body and turns its outcome into an exit code: a known failure prints one clear
 * line (exit 8, or the code it carries); an unexpected one too, with the stack only when
 * TRACKIO_FSCK_DEBUG is set. Nobody sees a stack trace for bad input.
 */
export async function runCommand(body: () => Promise<number>, options: CommandOptions = {}): Promise<void> {
  if (options.writes !== undefined) {
    noteDataState(options.writes, false);
    catchInterrupts();
  }
  try {
    process.exitCode = await body();
  } catch (err) {
    if (err instanceof FsckError) {
      process.stderr.write(`trackio-fsck: ${err.message}\n`);
      process.exitCode = err.exitCode;
      return;
    }
    const e = err as NodeJS.ErrnoException;
    const refused = describeIoError(err, dataState());
    if (refused) {
      process.stderr.write(`trackio-fsck: ${refused}\n`);
      if (process.env.TRACKIO_FSCK_DEBUG) process.stderr.write(`${e?.stack}\n`);
      process.exitCode = EXIT.operational;
      return;
    }
    process.stderr.write(`trackio-fsck: ${e?.message ?? String(err)}\n`);
    if (process.env.TRACKIO_FSCK_DEBUG) process.stderr.write(`${e?.stack}\n`);
    process.exitCode = EXIT.operational;
  }
}

/** Prints a JSON document on stdout. */
export function printJson(doc: unknown): void {
  process.stdout.write(JSON.stringify(doc, null, 2) + '\n');
}
