/** fsck(8) exit codes. */
export const EXIT = {
  clean: 0,
  corrected: 1,
  uncorrected: 4,
  operational: 8,
  usage: 16,
  cancelled: 32,
} as const;

/**
 * How a command ended, as far as its exit code goes. Every command's result reduces to one of these,
 * and `exitCodeFor` is the only place that turns them into fsck(8) codes.
 */
export type Outcome =
  /** A read: errors (or warnings, with strict) mean problems left uncorrected. */
  | { kind: 'checked'; errors: number; warnings: number; strict?: boolean }
  /** A change was made or tried: what the second check still finds, and whether anything changed. */
  | { kind: 'repaired'; remaining: number; changed: boolean }
  /** Nothing was changed although something needs mending (a dry run, no fix chosen, an interrupted repair waiting). */
  | { kind: 'left'; problems: number }
  /** The user said no. */
  | { kind: 'cancelled' };

export function exitCodeFor(outcome: Outcome): number {
  switch (outcome.kind) {
    case 'checked':
      return outcome.errors > 0 || (outcome.strict && outcome.warnings > 0) ? EXIT.uncorrected : EXIT.clean;
    case 'repaired':
      return outcome.remaining > 0 ? EXIT.uncorrected : outcome.changed ? EXIT.corrected : EXIT.clean;
    case 'left':
      return outcome.problems > 0 ? EXIT.uncorrected : EXIT.clean;
    case 'cancelled':
      return EXIT.cancelled;
  }
}
