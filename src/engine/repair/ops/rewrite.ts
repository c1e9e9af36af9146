import { chmod, lstat, rename, utimes } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { FsckError } from '../../errors.js';
import { faultPoint } from '../../fs/faultPoint.js';
import { fsyncDir } from '../../fs/fsyncDir.js';
import { BAD_LINES_SUFFIX, ownTempBeside, WHY_SUFFIX } from '../../fs/ownNames.js';
import { safePath } from '../../fs/safePath.js';
import { imageOf, removeFile, sameImage } from '../fileState.js';
import { saveJournal, type JournalOp } from '../Journal.js';
import type { Edit } from '../RepairPlan.js';
import { mkdirDurable } from '../stateDir.js';
import { rewriteWithEdits, type RewriteResult } from '../rewriteWithEdits.js';
import type { OpContext, OpKind } from './OpKind.js';
import { opFindings } from './writeWhy.js';
import { restoreFromRepairBackup } from './restoreFromRepairBackup.js';

/**
 * Line fixes of one file (trim, newline, NUL strip, quarantined lines), merged into one rewrite:
 * the new content goes to a temp file beside the original, is fsynced, and replaces it by rename.
 */
export const rewriteOp: OpKind = {
  kind: 'rewrite',
  claims: (steps) => steps.some((s) => s.edits.length > 0),
  build(base, steps, { repairId, quarantineDir }) {
    const edits = mergeEdits(steps.flatMap((s) => s.edits));
    if (edits.length === 0) return undefined;
    const hasQuarantine = edits.some((e) => e.kind === 'quarantine');
    const bad = `${quarantineDir}/${base.path}${BAD_LINES_SUFFIX}`;
    return {
      ...base,
      kind: 'rewrite',
      pre: steps[0]!.pre,
      edits,
      quarantine: hasQuarantine ? bad : undefined,
      quarantineTemp: hasQuarantine ? ownTempBeside(bad, repairId) : undefined,
      creates: hasQuarantine ? [bad, bad + WHY_SUFFIX] : [],
      temp: ownTempBeside(base.path, repairId),
    };
  },
  backupSet: (op) => (op.pre ? [{ path: op.path, ...op.pre }] : []),
  apply: applyRewrite,
  async undo(ctx, op) {
    for (const temp of [op.temp, op.quarantineTemp]) {
      const abs = temp ? await safePath(ctx.realDataDir, temp).catch(() => undefined) : undefined;
      if (abs) await removeFile(abs);
    }
    return restoreFromRepairBackup(ctx, op);
  },
};

async function applyRewrite(ctx: OpContext, op: JournalOp): Promise<void> {
  const { realDataDir, journal } = ctx;
  const abs = await safePath(realDataDir, op.path);
  const tempAbs = await safePath(realDataDir, op.temp!);
  if (op.state === 'prepared' && sameImage(await imageOf(abs), op.post)) {
    // Killed between the rename and the journal update: the rename happened.
    await removeFile(tempAbs);
    return ctx.markDone(op);
  }
  await removeFile(tempAbs);
  let qTemp: string | undefined;
  let qAbs: string | undefined;
  if (op.quarantine) {
    await mkdirDurable(realDataDir, dirname(op.quarantine));
    qAbs = await safePath(realDataDir, op.quarantine);
    qTemp = await safePath(realDataDir, op.quarantineTemp!);
    await removeFile(qTemp);
  }
  const st = await lstat(abs);
  let result: RewriteResult;
  try {
    result = await rewriteWithEdits(abs, tempAbs, qTemp, op.edits!, op.pre!, st.mode & 0o7777);
  } catch (err) {
    await removeFile(tempAbs);
    if (qTemp) await removeFile(qTemp);
    throw err;
  }
  // The tracker's mtime says when the run last wrote; a fresh one would make a crashed run look live.
  await chmod(tempAbs, st.mode & 0o7777); // the umask applied when the temp was created
  await utimes(tempAbs, st.atime, st.mtime);
  faultPoint('rewritten-into-temp', op.path);
  if (op.post && !sameImage(op.post, result.post)) throw new FsckError(`internal error: rewriting ${op.path} again gave different bytes`);
  if (qTemp && qAbs) {
    await rename(qTemp, qAbs);
    await fsyncDir(dirname(qAbs));
    await ctx.writeWhy(op.creates[1]!, op, { lines: linesWhy(op, result, ctx) });
    faultPoint('quarantined-lines', op.path);
  }
  op.post = result.post;
  if (result.cut.length > 0) op.cut = result.cut;
  op.state = 'prepared';
  await saveJournal(realDataDir, journal, `prepared ${op.path}`);
  // A writer that appended after we read would lose its bytes to the rename: look once more, last thing.
  const last = await lstat(abs);
  if (last.size !== st.size || last.mtimeMs !== st.mtimeMs || last.ino !== st.ino) {
    await removeFile(tempAbs);
    throw new FsckError(`${op.path} changed while it was being repaired (a writer is active?): left as it is; the repair stops here (undo: trackio-fsck undo)`);
  }
  await rename(tempAbs, abs);
  await fsyncDir(dirname(abs));
  faultPoint('renamed-into-place', op.path);
  await ctx.markDone(op);
}

function linesWhy(op: JournalOp, result: RewriteResult, ctx: OpContext) {
  const findings = opFindings(ctx.journal, op);
  return result.quarantined.map((q) => ({
    ...q,
    findings: findings.filter((f) => f.line === q.line).map((f) => ({ code: f.code, message: f.message })),
  }));
}

/** Sorted edits; a newline appended after a last line that another edit removes would leave a blank line, so it goes. */
function mergeEdits(edits: Edit[]): Edit[] {
  const sorted = [...edits].sort((a, b) => a.start - b.start || (a.kind === 'insert' ? -1 : 1));
  return sorted.filter((e) => e.kind !== 'insert' || !sorted.some((o) => (o.kind === 'cut' || o.kind === 'quarantine') && o.end === e.start && o.start < e.start));
}
