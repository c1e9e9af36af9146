import { FsckError } from '../engine/errors.js';
import { EXIT } from '../engine/report.js';

/**
 * Runs a command's body and turns its outcome into an exit code: a known failure prints one clear
 * line (exit 8, or the code it carries); an unexpected one too, with the stack only when
 * TRACKIO_FSCK_DEBUG is set. Nobody sees a stack trace for bad input.
 */
export async function runCommand(body: () => Promise<number>): Promise<void> {
  try {
    process.exitCode = await body();
  } catch (err) {
    if (err instanceof FsckError) {
      process.stderr.write(`trackio-fsck: ${err.message}\n`);
      process.exitCode = err.exitCode;
      return;
    }
    const e = err as NodeJS.ErrnoException;
    process.stderr.write(`trackio-fsck: ${e?.message ?? String(err)}\n`);
    if (process.env.TRACKIO_FSCK_DEBUG) process.stderr.write(`${e?.stack}\n`);
    process.exitCode = EXIT.operational;
  }
}

/** Prints a JSON document on stdout. */
export function printJson(doc: unknown): void {
  process.stdout.write(JSON.stringify(doc, null, 2) + '\n');
}
