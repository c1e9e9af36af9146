import type { Finding } from '../../finding.js';
import { safePath } from '../../fs/safePath.js';
import { writeFileAtomic } from '../../fs/writeFileAtomic.js';
import { TOOL, VERSION } from '../../version.js';
import type { Journal, JournalOp } from '../Journal.js';

/** The findings an op mends (those of its steps). */
export function opFindings(journal: Journal, op: JournalOp): Finding[] {
  return journal.steps.filter((s) => op.steps.includes(s.id)).flatMap((s) => s.findings);
}

/** The record of why, next to a quarantined item: what was wrong, where it came from, how to put it back. */
export async function writeWhy(realDataDir: string, rel: string, journal: Journal, op: JournalOp, extra: Record<string, unknown>): Promise<void> {
  const doc = {
    tool: TOOL,
    version: VERSION,
    repair: journal.id,
    time: new Date().toISOString(),
    originalPath: op.path,
    originalSha256: op.pre?.sha256 ?? null,
    ...extra,
    findings: opFindings(journal, op),
    restore: `trackio-fsck undo puts it back (while this is the last repair), or move it back to ${op.path} by hand`,
  };
  await writeFileAtomic(await safePath(realDataDir, rel), JSON.stringify(doc, null, 2) + '\n');
}
