import { join } from 'node:path';
import type { PlanStep } from '../repair/RepairPlan.js';

type StepDraft = Omit<PlanStep, 'id'>;
import { imageOf } from '../repair/fileState.js';
import { listJournals } from '../repair/Journal.js';
import type { MergeConflict } from './MergeDraft.js';

/**
 * Conflicts an earlier merge (complete, not undone) already keeps in its quarantine with the same
 * content are not kept again: their steps go, and each such conflict says where B's version is, so
 * merging the same copy twice changes nothing the second time.
 */
export async function keptEarlier(realDataDir: string, steps: StepDraft[], conflicts: MergeConflict[]): Promise<StepDraft[]> {
  const kept = new Map<string, string>();
  for (const j of await listJournals(realDataDir)) {
    if (j.status !== 'complete') continue;
    for (const op of j.ops) {
      const where = op.kind === 'keep-theirs' ? op.quarantine : op.kind === 'merge-database' ? op.database?.rowsFile : undefined;
      const sha = op.kind === 'keep-theirs' ? op.post?.sha256 : op.merge?.keptDigest;
      if (!where || !sha || op.state !== 'done') continue;
      if ((await imageOf(join(realDataDir, where)))?.sha256 === sha) kept.set(`${op.path}\0${sha}`, where);
    }
  }
  if (kept.size === 0) return steps;
  const mark = (path: string, where: string) => {
    for (const c of conflicts) if (c.path === path && !c.left) c.keptIn = where;
  };
  const out: StepDraft[] = [];
  for (const s of steps) {
    if (s.action === 'keep-theirs' && s.source) {
      const where = kept.get(`${s.path}\0${s.source.sha256}`);
      if (where) {
        mark(s.path, where);
        continue;
      }
    } else if (s.action === 'merge-rows' && s.merge?.keptDigest) {
      const where = kept.get(`${s.path}\0${s.merge.keptDigest}`);
      if (where) {
        mark(s.path, where);
        const { conflicts: _c, keptDigest: _k, ...rest } = s.merge;
        if (!rest.whole && !Object.values(rest.bring ?? {}).some((ids) => ids.length > 0)) continue;
        out.push({ ...s, merge: rest, description: s.description.replace(/; keep the other copy's differing rows in quarantine$/, '') });
        continue;
      }
    }
    out.push(s);
  }
  return out;
}
