import type { PlanStep } from '../repair/RepairPlan.js';

type StepDraft = Omit<PlanStep, 'id'>;

/** Something both copies have in different versions: never overwritten. */
export interface MergeConflict {
  /** The run or project. */
  unit: string;
  /** In DIR: the file, or the project's database. */
  path: string;
  /** What differs, for people ("2 metrics rows differ", "config.json differs"). */
  what: string;
  /** Rows or records that differ (1 for a file). */
  count: number;
  /** Where an earlier merge already keeps B's version (then no step keeps it again). */
  keptIn?: string;
  /** Why B's version cannot be kept or brought at all (another schema); absent when a step keeps it. */
  left?: string;
}

/** A layout's merge plan: the repair steps that bring B's data in (and keep B's differing versions), and the conflicts. */
export interface MergeDraft {
  steps: StepDraft[];
  conflicts: MergeConflict[];
}
