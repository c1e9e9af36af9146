import { FsckError } from '../errors.js';
import { EXIT } from '../report.js';

/**
 * Which snapshots prune keeps, as restic's `forget` and borg's `prune` decide: the union of every
 * rule. `last`: the N newest. `daily`/`weekly`/`monthly`: the newest snapshot of each of the N most
 * recent days/ISO weeks/months that have one (days without a snapshot do not count). Days, weeks
 * and months are UTC, as the snapshot names are.
 */
export interface RetentionPolicy {
  last?: number;
  daily?: number;
  weekly?: number;
  monthly?: number;
}

export interface Dated {
  name: string;
  time: Date;
}

const RULES = ['daily', 'weekly', 'monthly'] as const;

/** The policy's flags as a user typed them: `--keep 3 --keep-daily 7`. */
export function describePolicy(p: RetentionPolicy): string {
  const parts: string[] = [];
  if (p.last !== undefined) parts.push(`--keep ${p.last}`);
  for (const r of RULES) if (p[r] !== undefined) parts.push(`--keep-${r} ${p[r]}`);
  return parts.join(' ');
}

/** Refuses a policy that would keep nothing or is not whole numbers (exit 16). */
export function validatePolicy(p: RetentionPolicy): void {
  const given = (['last', ...RULES] as const).filter((k) => p[k] !== undefined);
  if (given.length === 0) throw new FsckError('say what to keep: --keep N, --keep-daily N, --keep-weekly N and/or --keep-monthly N', EXIT.usage);
  for (const k of given) {
    const n = p[k]!;
    if (!Number.isInteger(n) || n < 1) throw new FsckError(`--${k === 'last' ? 'keep' : `keep-${k}`} must be a whole number of at least 1`, EXIT.usage);
  }
}

/**
 * Per kept snapshot, why (one reason per rule that keeps it). `snapshots` may be in any order; the
 * caller passes only those a rule may keep (prune passes the intact ones to the time rules).
 */
export function selectKept(snapshots: readonly Dated[], policy: RetentionPolicy, timeRules: readonly Dated[] = snapshots): Map<string, string[]> {
  const kept = new Map<string, string[]>();
  const add = (name: string, why: string) => {
    const list = kept.get(name);
    if (list) list.push(why);
    else kept.set(name, [why]);
  };
  const newestFirst = (list: readonly Dated[]) => [...list].sort((a, b) => b.time.getTime() - a.time.getTime() || (a.name < b.name ? 1 : -1));
  if (policy.last !== undefined) {
    newestFirst(snapshots)
      .slice(0, policy.last)
      .forEach((s, i) => add(s.name, policy.last === 1 ? 'the newest' : `${ordinal(i + 1)} newest of ${policy.last}`));
  }
  for (const rule of RULES) {
    const n = policy[rule];
    if (n === undefined) continue;
    let buckets = 0;
    let last: string | undefined;
    for (const s of newestFirst(timeRules)) {
      const b = bucketOf(s.time, rule);
      if (b === last) continue;
      last = b;
      if (++buckets > n) break;
      add(s.name, `${rule} ${b}`);
    }
  }
  return kept;
}

/** 2026-11-29 (day), 2026-W48 (ISO week), 2026-11 (month), all UTC. */
export function bucketOf(t: Date, rule: (typeof RULES)[number]): string {
  const p = (n: number) => String(n).padStart(2, '0');
  if (rule === 'daily') return `${t.getUTCFullYear()}-${p(t.getUTCMonth() + 1)}-${p(t.getUTCDate())}`;
  if (rule === 'monthly') return `${t.getUTCFullYear()}-${p(t.getUTCMonth() + 1)}`;
  // ISO 8601 week: the week holding the year's first Thursday is week 1; weeks start on Monday.
  const d = new Date(Date.UTC(t.getUTCFullYear(), t.getUTCMonth(), t.getUTCDate()));
  const dow = d.getUTCDay() || 7;
  d.setUTCDate(d.getUTCDate() + 4 - dow);
  const yearStart = Date.UTC(d.getUTCFullYear(), 0, 1);
  const week = Math.ceil(((d.getTime() - yearStart) / 86_400_000 + 1) / 7);
  return `${d.getUTCFullYear()}-W${p(week)}`;
}

function ordinal(n: number): string {
  return n === 1 ? '1st' : n === 2 ? '2nd' : n === 3 ? '3rd' : `${n}th`;
}
