import { describe, expect, it } from 'vitest';
import { bucketOf, selectKept, validatePolicy } from '../../src/engine/backup/retentionPolicy.js';

/** Snapshots at these UTC times, named by their time. */
const at = (...isos: string[]) => isos.map((iso) => ({ name: iso, time: new Date(iso) }));
const kept = (snaps: ReturnType<typeof at>, policy: Parameters<typeof selectKept>[1]) => [...selectKept(snaps, policy).keys()].sort();

describe('retention as restic forget decides it', () => {
  // Three a day for ten days (2026-03-01 .. 03-10): 08:00, 14:00, 20:00.
  const days = Array.from({ length: 10 }, (_, d) => `2026-03-${String(d + 1).padStart(2, '0')}`);
  const snaps = at(...days.flatMap((d) => [`${d}T08:00:00Z`, `${d}T14:00:00Z`, `${d}T20:00:00Z`]));

  it('--keep-daily N: the newest snapshot of each of the N most recent days that have one', () => {
    expect(kept(snaps, { daily: 3 })).toEqual(['2026-03-08T20:00:00Z', '2026-03-09T20:00:00Z', '2026-03-10T20:00:00Z']);
  });

  it('days without a snapshot do not use up a slot', () => {
    const gappy = at('2026-03-01T10:00:00Z', '2026-03-05T10:00:00Z', '2026-03-05T11:00:00Z', '2026-03-09T10:00:00Z');
    expect(kept(gappy, { daily: 3 })).toEqual(['2026-03-01T10:00:00Z', '2026-03-05T11:00:00Z', '2026-03-09T10:00:00Z']);
  });

  it('--keep-weekly uses ISO weeks (Monday to Sunday), --keep-monthly calendar months, both UTC', () => {
    // 2026-03-01 is a Sunday (week 9); 03-02..03-08 week 10; 03-09, 03-10 week 11.
    expect(kept(snaps, { weekly: 2 })).toEqual(['2026-03-08T20:00:00Z', '2026-03-10T20:00:00Z']);
    expect(bucketOf(new Date('2026-03-01T23:59:59Z'), 'weekly')).toBe('2026-W09');
    expect(bucketOf(new Date('2027-01-01T00:00:00Z'), 'weekly')).toBe('2026-W53');
    expect(bucketOf(new Date('2026-12-31T23:00:00Z'), 'monthly')).toBe('2026-12');
    const months = at('2026-01-31T23:00:00Z', '2026-02-01T01:00:00Z', '2026-02-15T01:00:00Z', '2026-04-01T00:00:00Z');
    expect(kept(months, { monthly: 2 })).toEqual(['2026-02-15T01:00:00Z', '2026-04-01T00:00:00Z']);
  });

  it('the rules unite: a snapshot any rule keeps is kept, and says which rules keep it', () => {
    const both = selectKept(snaps, { last: 2, daily: 2, monthly: 1 });
    expect([...both.keys()].sort()).toEqual(['2026-03-09T20:00:00Z', '2026-03-10T14:00:00Z', '2026-03-10T20:00:00Z']);
    expect(both.get('2026-03-10T20:00:00Z')).toEqual(['1st newest of 2', 'daily 2026-03-10', 'monthly 2026-03']);
  });

  it('time rules may be given a narrower list (prune passes only intact snapshots to them)', () => {
    const intact = snaps.filter((s) => s.name !== '2026-03-10T20:00:00Z');
    expect([...selectKept(snaps, { daily: 1 }, intact).keys()]).toEqual(['2026-03-10T14:00:00Z']);
  });

  it('a policy that keeps nothing, or is not whole numbers, is a usage error', () => {
    for (const bad of [{}, { last: 0 }, { daily: 1.5 }, { weekly: -1 }]) expect(() => validatePolicy(bad)).toThrow(/--keep/);
    expect(() => validatePolicy({ monthly: 12 })).not.toThrow();
  });
});
