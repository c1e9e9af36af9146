import { lstat } from 'node:fs/promises';
import { join } from 'node:path';
import type { PlanStep } from '../repair/RepairPlan.js';

type StepDraft = Omit<PlanStep, 'id'>;
import { sha256File } from '../fs/sha256File.js';

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

/** merge-file: B's file (hashed now, verified again when copied) into DIR, where DIR has none. */
export async function bringFileStep(dirInto: string, dirFrom: string, rel: string, unit: string | null): Promise<StepDraft> {
  const from = join(dirFrom, rel);
  const image = await sha256File(from);
  const newDirs = await missingDirs(dirInto, rel);
  return {
    action: 'merge-file',
    safe: true,
    run: unit,
    path: rel,
    description: `copy ${rel} in from the other copy (${image.size} bytes)`,
    findings: [],
    edits: [],
    pre: null,
    source: { path: from, ...image, label: `the other copy ${dirFrom}` },
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
