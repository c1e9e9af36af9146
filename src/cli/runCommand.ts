import { FsckError } from '../engine/errors.js';
import { describeIoError } from '../engine/fs/describeIoError.js';
import { catchInterrupts, dataState, noteDataState } from '../engine/fs/interrupt.js';
import { EXIT } from '../engine/report.js';
import { cliContext } from './cliContext.js';
import { envelope, errorEnvelope } from './jsonEnvelope.js';

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
 * TRACKIO_FSCK_DEBUG is set. Nobody sees a stack trace for bad input. Under --json the failure is
 * also one JSON document on stdout, so a script reading stdout always gets JSON.
 */
export async function runCommand(body: () => Promise<number>, options: CommandOptions = {}): Promise<void> {
  if (options.writes !== undefined) {
    noteDataState(options.writes, false);
    catchInterrupts();
  }
  try {
    process.exitCode = await body();
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const exitCode = err instanceof FsckError ? err.exitCode : EXIT.operational;
    // An errno on a file gets one line saying which file and what state the data is in.
    const message = (!(err instanceof FsckError) && describeIoError(err, dataState())) || e?.message || String(err);
    process.stderr.write(`trackio-fsck: ${message}\n`);
    if (!(err instanceof FsckError) && process.env.TRACKIO_FSCK_DEBUG) process.stderr.write(`${e?.stack}\n`);
    if (cliContext.json) printRaw(errorEnvelope(message, exitCode));
    process.exitCode = exitCode;
  }
}

/** Prints a command's JSON document on stdout, in the envelope every command shares. */
export function printJson(doc: object, exitCode?: number): void {
  printRaw(envelope(doc, exitCode));
}

function printRaw(doc: unknown): void {
  process.stdout.write(JSON.stringify(doc, null, 2) + '\n');
}
