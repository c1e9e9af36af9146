import { FsckError } from '../errors.js';

/** fsck(8)'s "cancelled by user request". */
const EXIT_CANCELLED = 32;

/**
 * Ctrl-C during a writing command, and what state the data is in when a command stops early.
 *
 * A writing command declares, as it goes, the state its data is in should it stop now
 * (`noteDataState`: "nothing was changed", "the pre-repair backup is complete; ..."). While it is
 * writing, the first Ctrl-C only asks it to stop: the next durable point (faultPoint, where a
 * SIGKILL is already proven safe) throws InterruptedError, the command's cleanup runs, and it
 * exits 32 saying "interrupted" and the state. Before anything is written, or at a second
 * Ctrl-C, it stops at once (like a kill, which every state a writing command passes through survives).
 */
let state: string | undefined;
let writing = false;
let requested = false;
let installed = false;

export class InterruptedError extends FsckError {
  constructor() {
    super(`interrupted${state ? `: ${state}` : ''}`, EXIT_CANCELLED);
  }
}

/** The state the data is in if the command stopped now; `writing`: a Ctrl-C waits for the next safe point. */
export function noteDataState(description: string, isWriting = true): void {
  state = description;
  writing = isWriting;
}

/** What the command said about its data's state, if anything. */
export function dataState(): string | undefined {
  return state;
}

/**
 * Throws InterruptedError when Ctrl-C was pressed while writing (called at every durable point).
 * It stays requested: a caller that caught the error and went on would stop at the next point.
 */
export function throwIfInterrupted(): void {
  if (requested) throw new InterruptedError();
}

/** For tests and library users: as if Ctrl-C had been pressed (the next safe point throws). */
export function requestInterrupt(): void {
  requested = true;
}

/** Installs the SIGINT/SIGTERM handler of a writing command (once per process). */
export function catchInterrupts(): void {
  if (installed) return;
  installed = true;
  const onSignal = () => {
    if (writing && !requested) {
      requested = true;
      process.stderr.write('trackio-fsck: stopping at the next safe point (Ctrl-C again stops at once; the next run resumes or cleans up)\n');
      return;
    }
    process.stderr.write(`trackio-fsck: interrupted${state ? `: ${state}` : ''}\n`);
    process.exit(EXIT_CANCELLED);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}
