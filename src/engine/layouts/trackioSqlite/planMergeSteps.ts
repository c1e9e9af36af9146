import { basename, dirname, join } from 'node:path';
import type { CompareError } from '../../compare/CompareResult.js';
import { planDatabaseRows, type ProjectMerge } from '../../compare/planDatabaseRows.js';
import { bringFilesStep, keepTheirsStep } from '../../merge/fileSteps.js';
import type { MergeConflict, MergeDraft } from '../../merge/MergeDraft.js';
import { imageOf } from '../../repair/fileState.js';
import type { PlanStep } from '../../repair/RepairPlan.js';
import type { StepDraft } from '../Layout.js';
import { columnsOf, unmergeable } from './insertRows.js';
import { openReadOnly } from './openReadOnly.js';
import { projectLiveness } from './isProjectLive.js';
import { readSqliteHeader } from './readSqliteHeader.js';
import { versionsWithoutBlobs } from './versionsWithoutBlobs.js';
import { digestRows, withSourceDatabase } from './sourceRows.js';

/**
 * merge, Trackio SQLite layout: per project, B's rows that DIR lacks (matched as compare matches
 * them, so none is brought twice) inserted by one merge-rows step on `<project>.db`, which also keeps
 * B's conflicting rows in quarantine; a project only B has copied whole; media and artifact files
 * only B has copied in; files both have with other bytes kept as B's version in quarantine. Tables
 * whose columns differ between the copies (another schema generation) are left, reported.
 */
export async function planMergeSteps(dirInto: string, dirFrom: string, errors: CompareError[]): Promise<MergeDraft> {
  const projects = await planDatabaseRows(dirInto, dirFrom, errors);
  const draft: MergeDraft = { steps: [], conflicts: [] };
  if (errors.length > 0) return draft;
  for (const p of projects) {
    const path = `${p.project}.db`;
    if (p.newProject) {
      const rows = Object.values(p.rows).reduce((n, r) => n + r.bring.length, 0);
      draft.steps.push(step(p.project, path, `copy project ${p.project} in whole from the other copy (${rows} rows, through SQLite's backup API)`, null, [], { from: join(dirFrom, path), whole: true }));
    } else {
      const s = await rowsStep(dirInto, dirFrom, p, draft.conflicts);
      if (s) draft.steps.push(s);
    }
    for (const top of ['media', 'artifacts']) {
      const folder = `${top}/${p.project}`;
      const rels = p.files.filter((rel) => rel.startsWith(`${folder}/`));
      if (rels.length > 0) draft.steps.push(await bringFilesStep(dirInto, dirFrom, folder, rels, p.project, `copy in the ${top} files only the other copy has`));
    }
    for (const f of p.conflictingFiles) {
      const what = 'its bytes differ';
      draft.conflicts.push({ unit: p.project, path: f.path, what, count: 1 });
      draft.steps.push(await keepTheirsStep(dirFrom, f.path, p.project, what));
    }
  }
  return draft;
}

async function rowsStep(dirInto: string, dirFrom: string, p: ProjectMerge, conflicts: MergeConflict[]): Promise<StepDraft | undefined> {
  const path = `${p.project}.db`;
  const from = join(dirFrom, path);
  const schemaWhy = await tableSchemas(join(dirInto, path), from, Object.keys(p.rows));
  const bring: Record<string, number[]> = {};
  const differ: Record<string, number[]> = {};
  const said: string[] = [];
  for (const [table, r] of Object.entries(p.rows)) {
    const why = schemaWhy.get(table);
    if (why && r.bring.length > 0) {
      conflicts.push({ unit: p.project, path, what: `${r.bring.length} ${table} rows only in the other copy not brought`, count: r.bring.length, left: why });
    } else if (r.bring.length > 0) {
      bring[table] = r.bring;
      said.push(`${r.bring.length} ${table}`);
    }
    const ids = r.conflicts.flatMap((c) => (c.rowIdSource === undefined ? [] : [c.rowIdSource]));
    if (ids.length > 0) {
      differ[table] = ids.sort((x, y) => x - y);
      // Rows that differ, then rows held back (the registry's: an alias whose version stays out), one line per reason.
      const byWhy = new Map<string, number>();
      for (const c of r.conflicts) if (c.rowIdSource !== undefined) byWhy.set(c.why ?? '', (byWhy.get(c.why ?? '') ?? 0) + 1);
      for (const [why, n] of [...byWhy].sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))) {
        const what = why ? `${n} ${table} ${n === 1 ? 'row' : 'rows'} held back: ${why}` : `${n} ${table} ${n === 1 ? 'row differs' : 'rows differ'}`;
        conflicts.push({ unit: p.project, path, what, count: n });
      }
    }
  }
  const kept = Object.keys(differ).length > 0;
  if (said.length === 0 && !kept) return undefined;
  const [digest, keptDigest, blobless] = await withSourceDatabase(from, async (db) => [digestRows(db, bring), digestRows(db, differ), await versionsWithoutBlobs(db, bring.artifact_versions ?? [], p.project, [dirInto, dirFrom])] as const);
  const pre = await imageOf(join(dirInto, path));
  const sidecars: NonNullable<PlanStep['sidecars']> = [];
  for (const suffix of ['-wal', '-shm', '-journal']) {
    const image = await imageOf(join(dirInto, path + suffix));
    if (image) sidecars.push({ path: path + suffix, ...image });
  }
  const total = Object.values(bring).reduce((n, ids) => n + ids.length, 0);
  // A version whose blobs neither copy has still comes in: it is B's record, and check names each missing blob.
  const noBlobs = blobless > 0 ? `(${blobless} artifact ${blobless === 1 ? 'version lists blobs' : 'versions list blobs'} neither copy has: check reports them)` : '';
  const inserted = said.length > 0 ? [`insert ${said.join(', ')} ${total === 1 ? 'row' : 'rows'} only the other copy has`, noBlobs].filter(Boolean).join(' ') : '';
  const text = [inserted, kept ? "keep the other copy's differing rows in quarantine" : ''].filter(Boolean).join('; ');
  return step(p.project, path, text, pre ?? null, sidecars, { from, bring, ...(kept && { conflicts: differ, keptDigest }), digest });
}

function step(project: string, path: string, description: string, pre: PlanStep['pre'], sidecars: NonNullable<PlanStep['sidecars']>, merge: NonNullable<PlanStep['merge']>): StepDraft {
  return { action: 'merge-rows', safe: true, run: project, path, description, findings: [], edits: [], pre, sidecars, merge };
}

/** Per table, why B's rows cannot go into DIR's table as they are (columns differ), read from both schemas. */
async function tableSchemas(into: string, from: string, tables: string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const header = await readSqliteHeader(into);
  if (!header) return out;
  const project = basename(into).slice(0, -3);
  const live = (await projectLiveness(dirname(into), [project])).get(project)?.live ?? false;
  const opened = await openReadOnly(into, header, live);
  try {
    await withSourceDatabase(from, (src) => {
      for (const t of tables) {
        const why = unmergeable(columnsOf(opened.db, t), columnsOf(src, t));
        if (why) out.set(t, why);
      }
    });
  } finally {
    await opened.close();
  }
  return out;
}
