import { isUtf8 } from 'node:buffer';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import type { CompareError } from '../../compare/CompareResult.js';
import { compareFileTrees } from '../../compare/compareFiles.js';
import { compareDocuments, runsIn } from '../../compare/compareRunDirs.js';
import { readRecords, type Line } from '../../compare/diffJsonlLines.js';
import { compareCodePoints } from '../../compare/compareCodePoints.js';
import { bringFilesStep, keepTheirsStep } from '../../merge/fileSteps.js';
import type { MergeDraft } from '../../merge/MergeDraft.js';
import { imageOf } from '../../repair/fileState.js';
import { walkFiles } from '../trackioSqlite/walkFiles.js';

const DOCUMENTS = new Set(['metrics.jsonl', 'config.json', 'summary.json']);

/**
 * merge, run-directory layout: a run only B has is copied in whole, file by file; in a run both
 * have, metrics.jsonl records B has and DIR lacks are appended (in step order) when every one of
 * them comes after DIR's last step, and config.json, summary.json, artifacts/, logs/ files only B
 * has are copied in. What would reorder DIR's records, and documents or files both have in other
 * versions, are conflicts: B's version is kept in quarantine, DIR's is left as it is.
 */
export async function planMergeRuns(dirInto: string, dirFrom: string, errors: CompareError[]): Promise<MergeDraft> {
  const draft: MergeDraft = { steps: [], conflicts: [] };
  const [inInto, inFrom] = await Promise.all([runsIn(dirInto), runsIn(dirFrom)]);
  for (const run of [...inFrom].sort(compareCodePoints)) {
    const base = `runs/${run}`;
    try {
      if (!inInto.has(run)) {
        const rels = (await walkFiles(join(dirFrom, base))).map((rel) => `${base}/${rel}`);
        draft.steps.push(await bringFilesStep(dirInto, dirFrom, base, rels, run, `copy run ${run} in whole from the other copy`));
        continue;
      }
      const bring: string[] = [];
      if (await planMetrics(dirInto, dirFrom, run, draft)) bring.push(`${base}/metrics.jsonl`);
      for (const name of ['config.json', 'summary.json']) {
        const rel = `${base}/${name}`;
        const state = await compareDocuments(join(dirInto, rel), join(dirFrom, rel));
        if (state === 'only-in-b') bring.push(rel);
        else if (state === 'differ') {
          draft.conflicts.push({ unit: run, path: rel, what: 'its content differs', count: 1 });
          draft.steps.push(await keepTheirsStep(dirFrom, rel, run, 'its content differs'));
        }
      }
      const files = await compareFileTrees(join(dirInto, base), join(dirFrom, base), `${base}/`, { skip: (rel) => DOCUMENTS.has(rel), errors, maxListed: Number.POSITIVE_INFINITY });
      for (const f of files.listed) {
        if (f.b && !f.a) bring.push(f.path);
        else if (f.a && f.b) {
          draft.conflicts.push({ unit: run, path: f.path, what: 'its bytes differ', count: 1 });
          draft.steps.push(await keepTheirsStep(dirFrom, f.path, run, 'its bytes differ'));
        }
      }
      if (bring.length > 0) draft.steps.push(await bringFilesStep(dirInto, dirFrom, base, bring, run, 'copy in the files of this run only the other copy has'));
    } catch (err) {
      errors.push({ side: null, path: base, message: (err as Error).message });
    }
  }
  return draft;
}

/**
 * metrics.jsonl of a run both have: B's records DIR lacks, appended or (when they would reorder
 * DIR's) kept as B's file in quarantine. True when DIR has no metrics.jsonl: B's is copied whole.
 */
async function planMetrics(dirInto: string, dirFrom: string, run: string, draft: MergeDraft): Promise<boolean> {
  const rel = `runs/${run}/metrics.jsonl`;
  const into = join(dirInto, rel);
  const plan = await recordsToBring(into, join(dirFrom, rel));
  if (plan === 'only-in-b') return true;
  if (!plan) return false;
  const { append, conflicts, why } = plan;
  if (append.length > 0) {
    const pre = (await imageOf(into))!;
    const text = append.map((l) => `${Buffer.from(l.text, 'latin1').toString('utf8')}\n`).join('');
    draft.steps.push({
      action: 'merge-rows',
      safe: true,
      run,
      path: rel,
      description: `append ${append.length} ${append.length === 1 ? 'record' : 'records'} only the other copy has (steps ${append[0]!.step}-${append[append.length - 1]!.step}, after this copy's last step)`,
      findings: [],
      edits: [{ kind: 'insert', start: pre.size, end: pre.size, text }],
      pre,
    });
  }
  if (conflicts > 0) {
    const what = `${conflicts} ${conflicts === 1 ? 'record' : 'records'} only the other copy has ${why}`;
    draft.conflicts.push({ unit: run, path: rel, what, count: conflicts });
    draft.steps.push(await keepTheirsStep(dirFrom, rel, run, what));
  }
  return false;
}

interface RecordsPlan {
  /** B's records to append, in step order. */
  append: Line[];
  /** B's records that cannot be appended without reordering DIR's (or differ from DIR's at a step). */
  conflicts: number;
  why: string;
}

/**
 * B's records that DIR lacks (matched by content, as compare matches them): the shared beginning is
 * streamed; after it, DIR's rest is held as a count per line. Appendable: every unmatched record of
 * B has a step after DIR's highest, is valid UTF-8, and DIR's file ends with a newline.
 */
async function recordsToBring(pathInto: string, pathFrom: string): Promise<RecordsPlan | 'only-in-b' | undefined> {
  const rb = await readRecords(pathFrom);
  if (!rb) return undefined;
  const ra = await readRecords(pathInto);
  if (!ra) {
    await rb.return(undefined);
    return 'only-in-b';
  }
  let maxStep = -1;
  const seen = (l: Line) => {
    if (l.step !== null && l.step > maxStep) maxStep = l.step;
  };
  const unmatched: Line[] = [];
  try {
    let na = await ra.next();
    let nb = await rb.next();
    while (!na.done && !nb.done && na.value.text === nb.value.text) {
      seen(na.value);
      na = await ra.next();
      nb = await rb.next();
    }
    const rest = new Map<string, number>();
    for (; !na.done; na = await ra.next()) {
      seen(na.value);
      rest.set(na.value.text, (rest.get(na.value.text) ?? 0) + 1);
    }
    for (; !nb.done; nb = await rb.next()) {
      const n = rest.get(nb.value.text) ?? 0;
      if (n > 0) rest.set(nb.value.text, n - 1);
      else unmatched.push(nb.value);
    }
  } finally {
    await ra.return(undefined);
    await rb.return(undefined);
  }
  if (unmatched.length === 0) return undefined;
  const endsClean = await endsWithNewline(pathInto);
  const fits = (l: Line) => l.step !== null && l.step > maxStep && isUtf8(Buffer.from(l.text, 'latin1'));
  if (!endsClean) return { append: [], conflicts: unmatched.length, why: "(this copy's metrics.jsonl does not end with a newline: repair it first)" };
  const append = unmatched.filter(fits).sort((x, y) => x.step! - y.step! || x.no - y.no);
  const conflicts = unmatched.length - append.length;
  return { append, conflicts, why: `at or before this copy's last step ${maxStep} (appending would reorder the records)` };
}

async function endsWithNewline(path: string): Promise<boolean> {
  const fh = await open(path, 'r');
  try {
    const { size } = await fh.stat();
    if (size === 0) return true;
    const last = Buffer.alloc(1);
    await fh.read(last, 0, 1, size - 1);
    return last[0] === 0x0a;
  } finally {
    await fh.close();
  }
}
