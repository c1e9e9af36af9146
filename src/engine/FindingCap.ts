import type { Finding } from './finding.js';

/** Findings of one kind seen so far, and the last one listed. */
export interface CodeTally {
  count: number;
  last?: Finding;
}

/** How many findings of one kind (a code in a file, a code in a table) are listed by default. */
export const MAX_LISTED = 20;

/**
 * The one rule for repeated findings: at most `max` of a kind are listed; the rest are counted into
 * the last listed one (`more`, and its message says so), so a file of a million bad lines gives
 * twenty findings, not a million, and the counts in the summary stay exact. `tallies` may be shared
 * (the parallel scanner hands its state to the scanner that reads the rest of a file).
 */
export class FindingCap {
  constructor(
    readonly max = MAX_LISTED,
    readonly tallies = new Map<string, CodeTally>(),
  ) {}

  /** Counts a finding of kind `key`; `make` builds it only when it is listed. Returns the listed finding, if any. */
  admit(key: string, make: () => Finding): Finding | undefined {
    const tally = this.tally(key);
    if (++tally.count > this.max) return undefined;
    tally.last = make();
    return tally.last;
  }

  tally(key: string): CodeTally {
    let t = this.tallies.get(key);
    if (!t) this.tallies.set(key, (t = { count: 0 }));
    return t;
  }

  /** Folds the unlisted counts into the last listed finding of each kind; `scope` ends the sentence ("in this file"). */
  fold(scope: string): void {
    for (const { count, last } of this.tallies.values()) {
      if (last && count > this.max) foldMore(last, count - this.max, `more like it ${scope}, not listed`);
    }
  }
}

/** Marks `finding` as standing for `more` others too, and says so in its message (`(and N <what>)`). */
export function foldMore(finding: Finding, more: number, what: string): void {
  finding.more = more;
  finding.message += ` (and ${more} ${what})`;
}
