import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { findVerifiedCopy, type SnapshotLookups } from '../backup/findVerifiedCopy.js';
import type { Finding } from '../finding.js';
import { readManifest, type ManifestState } from '../manifest/readManifest.js';
import { kindFor } from '../layouts/runDirectory/scanRun.js';
import type { FixProvider, PlanStep } from './RepairPlan.js';
import { planJsonlSteps } from '../layouts/runDirectory/planJsonlSteps.js';
import { READ_NOFOLLOW } from '../fs/safePath.js';
import { scanJsonlForRepair } from '../layouts/runDirectory/scanJsonlForRepair.js';

type StepDraft = Omit<PlanStep, 'id'>;

/** Findings that only say the bytes differ from the record: they say nothing about how safe a copy-in is. */
const MANIFEST_CODES = new Set(['manifest/modified', 'manifest/missing']);

/**
 * Heal from backup (issue 5): a fix provider that offers restore-from-backup for a damaged or
 * missing file when the data dir's manifest records it and a known-good snapshot in `backupsDir`
 * holds a copy with exactly the recorded SHA-256 (re-hashed now, so rot inside a snapshot is never
 * handed out). The copy replaces every other fix of that file, with one exception, decided by what
 * loses the least data: a metrics.jsonl whose line fixes (trim, strip NULs, quarantine lines) would
 * keep more bytes than the copy holds keeps its line fixes. That is the run that appended records
 * after the manifest and then crashed: the copy would drop every step logged since.
 *
 * A copy-in is `safe` (applied by --preen and recover) only when every other finding on the file
 * has a safe fix of its own (crash damage), so preen mends what it always mended, from the copy when
 * that keeps at least as much. A file whose only finding is manifest/modified (maybe an edit someone
 * wanted), or that needs an unsafe fix, is restored only with -y or a yes.
 */
export function restoreFromBackup(backupsDir: string, manifest?: ManifestState): FixProvider {
  let state: Promise<ManifestState | undefined> | undefined = manifest ? Promise.resolve(manifest) : undefined;
  const decided = new Map<string, Promise<StepDraft | undefined>>();
  const lookups: SnapshotLookups = new Map();
  return (finding, ctx) => {
    let step = decided.get(finding.path);
    if (!step) {
      state ??= readManifest(ctx.dataDir);
      step = state.then((s) => (s ? decide(s, backupsDir, finding, ctx, lookups) : undefined));
      decided.set(finding.path, step);
    }
    return step;
  };
}

async function decide(state: ManifestState, backupsDir: string, f: Finding, ctx: Parameters<FixProvider>[1], lookups: SnapshotLookups): Promise<StepDraft | undefined> {
  // Run-directory layout only: a SQLite database cannot be swapped by a plain copy while a -wal or
  // -shm file of another state lies beside it (its restore belongs to the SQLite layout's repair).
  if (!f.path.startsWith('runs/')) return undefined;
  const entry = state.entries.get(f.path);
  if (!entry) return undefined;
  const findings = ctx.findings ?? [f];
  const record = ctx.record;
  const gone = findings.some((g) => g.code === 'manifest/missing');
  // No record and not gone: the check could not read it (unreadable, a FIFO): not ours to replace.
  if (!record && !gone) return undefined;
  // The file is what the manifest recorded, damage included: the copy would change nothing.
  if (record && record.sha256 === entry.sha256) return undefined;
  const copy = await findVerifiedCopy(backupsDir, f.path, entry.sha256, lookups);
  if (!copy) return undefined;

  let keeps: number | undefined;
  if (record && isJsonlInRun(f) && findings.some((g) => g.fix && !MANIFEST_CODES.has(g.code))) {
    const scan = await scanJsonlForRepair(join(ctx.dataDir, f.path), f.path, f.run);
    keeps = await keptBytes(join(ctx.dataDir, f.path), scan.size, planJsonlSteps(f.path, f.run, scan));
    if (copy.size < keeps) return undefined;
  }
  const others = findings.filter((g) => !MANIFEST_CODES.has(g.code));
  // Putting back a file that is gone overwrites nothing.
  const safe = (gone && !record) || (others.length > 0 && others.every((g) => g.fix?.safe === true));
  const versus = keeps !== undefined ? `; the line fixes would keep ${keeps}` : '';
  return {
    action: 'restore-from-backup',
    safe,
    run: f.run,
    path: f.path,
    description: `${gone ? 'put back' : 'replace with'} the copy in backup ${copy.snapshot} (${copy.size} bytes, the SHA-256 the manifest recorded, verified now)${versus}; ${gone ? 'nothing is replaced' : 'the damaged file stays in the pre-repair backup'}`,
    findings,
    edits: [],
    pre: record ? { sha256: record.sha256, size: record.size } : null,
    source: { path: copy.path, sha256: copy.sha256, size: copy.size, label: `backup ${copy.snapshot}` },
  };
}

/**
 * The size a file has after the given line fixes: cut and quarantined ranges go, inserts come, and a
 * strip-nul range keeps its other bytes (nothing when it held only NULs and its newline), as
 * rewriteWithEdits does.
 */
async function keptBytes(abs: string, size: number, steps: StepDraft[]): Promise<number> {
  let kept = size;
  const strips: Array<{ start: number; end: number }> = [];
  for (const s of steps) {
    for (const e of s.edits) {
      if (e.kind === 'insert') kept += e.text?.length ?? 0;
      else kept -= e.end - e.start;
      if (e.kind === 'strip-nul') strips.push(e);
    }
  }
  if (strips.length === 0) return kept;
  const fh = await open(abs, READ_NOFOLLOW);
  try {
    for (const { start, end } of strips) {
      const buf = Buffer.alloc(end - start);
      await fh.read(buf, 0, buf.length, start);
      let other = 0;
      for (const b of buf) if (b !== 0 && b !== 0x0a) other++;
      if (other > 0) kept += other + (buf[buf.length - 1] === 0x0a ? 1 : 0);
    }
  } finally {
    await fh.close();
  }
  return kept;
}

function isJsonlInRun(f: Finding): boolean {
  const prefix = `runs/${f.run}/`;
  return f.run !== null && f.path.startsWith(prefix) && kindFor(f.path.slice(prefix.length)).name === 'jsonl';
}
