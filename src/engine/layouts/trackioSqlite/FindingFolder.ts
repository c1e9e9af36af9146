import type { FindingCode } from '../../codes.js';
import type { Finding, FixAction } from '../../finding.js';
import { makeFinding, type Location } from '../../makeFinding.js';
import { FindingCap, MAX_LISTED } from '../../FindingCap.js';

/**
 * Emits findings for one database, at most `maxPerKey` per code and table; the rest are counted
 * into the last one listed (`more`), so a table of a million bad rows gives twenty findings, not a
 * million.
 */
export class FindingFolder {
  private readonly cap: FindingCap;

  constructor(
    private readonly emit: (f: Finding) => void,
    maxPerKey = MAX_LISTED,
  ) {
    this.cap = new FindingCap(maxPerKey);
  }

  report(code: FindingCode, where: Location, message: string, fix?: { action: FixAction; safe?: boolean }): void {
    const listed = this.cap.admit(`${code}\0${where.table ?? ''}`, () => makeFinding(code, where, message, fix));
    if (listed) this.emit(listed);
  }

  /** Folds the unlisted counts into the last listed finding of each code and table. */
  end(): void {
    this.cap.fold('in this table');
  }
}
