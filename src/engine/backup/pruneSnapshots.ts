import { rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fsyncDir } from '../fs/fsyncDir.js';
import { lockBackups } from './backupsLock.js';
import { requireBackupsDir } from './resolveBackupsDir.js';
import { describePolicy, selectKept, validatePolicy, type RetentionPolicy } from './retentionPolicy.js';
import { findSnapshots, isGood, newestGood, type SnapshotStatus } from './findSnapshots.js';
import { INCOMPLETE_PREFIX } from './snapshotLayout.js';

export interface PrunedEntry {
  name: string;
  state: SnapshotStatus;
  reason: string;
}

export interface PruneResult {
  backupsDir: string;
  /** --keep N, when given (null when only the time rules were). */
  keep: number | null;
  /** Every rule given: --keep (last) and --keep-daily/weekly/monthly. */
  policy: RetentionPolicy;
  dryRun: boolean;
  removed: PrunedEntry[];
  kept: PrunedEntry[];
  /** Named like snapshots but not made by trackio-fsck: never deleted. */
  untouched: string[];
}

export interface PruneOptions {
  dryRun?: boolean;
  /** The caller already holds the BACKUPS lock (backup --keep). */
  locked?: boolean;
}

/**
 * Keeps the `keep` newest snapshots by the time in their names, plus the newest known-good one
 * when those are all damaged; removes the rest and every leftover of an interrupted backup.
 * A snapshot is first renamed to .incomplete-<name> and only then deleted, so a prune killed
 * half-way never leaves a half-deleted tree that looks like a snapshot.
 */
export async function pruneSnapshots(backupsDir: string, keepOrPolicy: number | RetentionPolicy, options: PruneOptions = {}): Promise<PruneResult> {
  const policy: RetentionPolicy = typeof keepOrPolicy === 'number' ? { last: keepOrPolicy } : keepOrPolicy;
  validatePolicy(policy);
  requireBackupsDir(backupsDir);
  const unlock = options.locked || options.dryRun ? async () => {} : await lockBackups(backupsDir);
  try {
    const all = await findSnapshots(backupsDir);
    const ours = all.filter((s) => s.meta !== undefined).reverse();
    const keep = policy.last;
    const newest = describePolicy(policy);
    const keepNames = new Map<string, string>();
    // --keep N counts every snapshot of ours; a damaged one never fills a daily, weekly or monthly slot.
    const dated = (list: typeof ours) => list.filter((s) => s.time !== null).map((s) => ({ name: s.name, time: s.time! }));
    const byRule = selectKept(dated(ours), { ...policy, last: undefined }, dated(ours.filter(isGood)));
    for (const s of keep === undefined ? [] : ours.slice(0, keep)) keepNames.set(s.name, keep === 1 ? 'the newest' : `one of the ${keep} newest`);
    for (const [name, why] of byRule) keepNames.set(name, [keepNames.get(name), ...why].filter(Boolean).join(', '));
    const good = newestGood(all.filter((s) => s.meta !== undefined));
    if (good && !keepNames.has(good.name)) keepNames.set(good.name, 'the newest verified snapshot (the newer ones are damaged)');

    const result: PruneResult = { backupsDir, keep: keep ?? null, policy, dryRun: options.dryRun ?? false, removed: [], kept: [], untouched: all.filter((s) => s.state === 'unknown').map((s) => s.name) };
    for (const s of all) {
      if (s.state === 'unknown') continue;
      const why = keepNames.get(s.name);
      if (why) {
        result.kept.push({ name: s.name, state: s.state, reason: why });
        continue;
      }
      const reason = s.state === 'incomplete' ? 'leftover of an interrupted backup' : isGood(s) ? `not kept by ${newest}` : `damaged, not kept by ${newest}`;
      if (!options.dryRun) {
        let doomed = s.path;
        if (s.state !== 'incomplete') {
          doomed = join(backupsDir, `${INCOMPLETE_PREFIX}${s.name}-deleting`);
          await rename(s.path, doomed);
          await fsyncDir(backupsDir);
        }
        await rm(doomed, { recursive: true, force: true });
      }
      result.removed.push({ name: s.name, state: s.state, reason });
    }
    if (!options.dryRun && result.removed.length > 0) await fsyncDir(backupsDir);
    return result;
  } finally {
    await unlock();
  }
}
