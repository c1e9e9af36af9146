import type { FindingCode } from '../../codes.js';
import type { Finding, FixAction } from '../../finding.js';
import { makeFinding, type Location } from '../../makeFinding.js';

/**
 * Emits findings for one database, at most `maxPerKey` per code and table; the rest are counted
 * into the last one listed (`more`), so a table of a million bad rows gives twenty findings, not a
 * million.
 */
export class FindingFolder {
  private readonly tally = new Map<string, { count: number; last?: Finding }>();

  constructor(
    private readonly emit: (f: Finding) => void,
    private readonly maxPerKey = 20,
  ) {}

  report(code: FindingCode, where: Location, message: string, fix?: { action: FixAction; safe?: boolean }): void {
    const key = `${code}\0${where.table ?? ''}`;
    let t = this.tally.get(key);
    if (!t) this.tally.set(key, (t = { count: 0 }));
    t.count++;
    if (t.count > this.maxPerKey) return;
    t.last = makeFinding(code, where, message, fix);
    this.emit(t.last);
  }

  /** Folds the unlisted counts into the last listed finding of each code and table. */
  end(): void {
    for (const { count, last } of this.tally.values()) {
      if (last && count > this.maxPerKey) {
        last.more = count - this.maxPerKey;
        last.message += ` (and ${last.more} more like it in this table, not listed)`;
      }
    }
  }
}
