import type { FileImage, PlanStep } from '../RepairPlan.js';
import type { Journal, JournalOp } from '../Journal.js';

/** What an op needs while it runs: where the data is, its journal, and the two durable records every op writes. */
export interface OpContext {
  realDataDir: string;
  journal: Journal;
  /** Records the op as done in the journal (durably). */
  markDone(op: JournalOp): Promise<void>;
  /** Writes the record of why beside a quarantined item. */
  writeWhy(rel: string, op: JournalOp, extra: Record<string, unknown>): Promise<void>;
}

/** What undoing one op did; the caller adds it up. `conflict` says why the op was left as it is. */
export interface UndoEffects {
  conflict?: string;
  restored?: string[];
  movedBack?: string[];
  removed?: string[];
  displaced?: string[];
}

export interface UndoContext {
  realDataDir: string;
  journal: Journal;
  /** Restore even what changed after the repair (its bytes are kept in displaced/ first). */
  force: boolean;
}

/** The fields every op shares, as buildOps fills them in before a kind adds its own. */
export type OpBase = Pick<JournalOp, 'id' | 'path' | 'steps' | 'state'>;

/** Where an op's pieces go: the repair's id (temp names) and its quarantine folder. */
export interface BuildContext {
  repairId: string;
  quarantineDir: string;
}

/**
 * One kind of durable change a repair makes. `apply` is idempotent: it decides from the file's
 * state whether it already happened, so a killed repair is finished by running it again; `undo`
 * puts the exact bytes back and returns what it did, never touching state shared with other ops.
 */
export interface OpKind {
  readonly kind: JournalOp['kind'];
  /** Does this kind carry out the steps chosen for one path? Kinds are asked in a fixed order. */
  claims(steps: readonly PlanStep[]): boolean;
  build(base: OpBase, steps: readonly PlanStep[], ctx: BuildContext): JournalOp | undefined;
  /** Files (with the content the plan saw) the verified pre-repair backup must hold before this op runs. */
  backupSet(op: JournalOp): Array<{ path: string } & FileImage>;
  apply(ctx: OpContext, op: JournalOp): Promise<void>;
  undo(ctx: UndoContext, op: JournalOp): Promise<UndoEffects>;
}
