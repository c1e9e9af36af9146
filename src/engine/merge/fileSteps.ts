import { lstat } from 'node:fs/promises';
import { join } from 'node:path';
import type { PlanStep } from '../repair/RepairPlan.js';

type StepDraft = Omit<PlanStep, 'id'>;
import { sha256File } from '../fs/sha256File.js';
import { compareCodePoints } from '../compare/compareCodePoints.js';

/** The folders of `rel` (outermost first) that DIR does not have yet: the ones a copy creates. */
export async function missingDirs(dirInto: string, rel: string): Promise<string[]> {
  const parts = rel.split('/').slice(0, -1);
  const out: string[] = [];
  for (let i = 1; i <= parts.length; i++) {
    const dir = parts.slice(0, i).join('/');
    if (out.length > 0 || !(await lstat(join(dirInto, dir)).catch(() => undefined))) out.push(dir);
  }
  return out;
}

/**
 * merge-file: B's files below `folder` that DIR lacks (each hashed now, verified again when
 * copied), in one step: a run only B has, or a project's media, comes in as one op.
 */
export async function bringFilesStep(dirInto: string, dirFrom: string, folder: string, rels: string[], unit: string | null, what: string): Promise<StepDraft> {
  const copies = [];
  const dirs = new Set<string>();
  for (const rel of [...rels].sort(compareCodePoints)) {
    copies.push({ path: rel, ...(await sha256File(join(dirFrom, rel))) });
    for (const d of await missingDirs(dirInto, rel)) dirs.add(d);
  }
  const bytes = copies.reduce((n, c) => n + c.size, 0);
  // Outermost first: a folder is made before the folders inside it, and undo removes them the other way.
  const newDirs = [...dirs].sort((x, y) => x.split('/').length - y.split('/').length || compareCodePoints(x, y));
  return {
    action: 'merge-file',
    safe: true,
    run: unit,
    path: folder,
    description: `${what} (${copies.length} ${copies.length === 1 ? 'file' : 'files'}, ${bytes} bytes), verified by SHA-256`,
    findings: [],
    edits: [],
    pre: null,
    merge: { from: dirFrom },
    copies,
    ...(newDirs.length > 0 && { newDirs }),
  };
}

/** keep-theirs: B's differing version of `rel` copied to quarantine/<id>/theirs/, DIR's left as it is. */
export async function keepTheirsStep(dirFrom: string, rel: string, unit: string | null, what: string): Promise<StepDraft> {
  const from = join(dirFrom, rel);
  const image = await sha256File(from);
  return {
    action: 'keep-theirs',
    safe: true,
    run: unit,
    path: rel,
    description: `${what}: keep the other copy's version in quarantine (this one is left as it is)`,
    findings: [],
    edits: [],
    pre: null,
    source: { path: from, ...image, label: `the other copy ${dirFrom}` },
  };
}
