import { lstat, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readFileOnce } from '../fs/readFileOnce.js';
import { safePath } from '../fs/safePath.js';
import { writeFileAtomic } from '../fs/writeFileAtomic.js';
import { TEMP_NAME } from '../layouts/runDirectory/listRunFiles.js';
import { readManifest, type ManifestEntry } from './readManifest.js';
import { writeManifest, type ManifestInput } from './writeManifest.js';

/** A manifest entry as it was before trackio-fsck re-recorded it; null: the path was not recorded. */
export type PriorEntries = Record<string, ManifestInput | null>;

/**
 * After a repair: the files it changed are recorded again as they are now, so the manifest does not
 * call the tool's own work damage (manifest/modified, manifest/missing) and a second `recover`
 * finds nothing. Only the paths given change; every other entry is kept exactly. A path that is gone
 * (moved to quarantine) loses its entry; a temp file is never recorded. Returns the entries as they
 * were, so `undo` can put them back (restoreEntries), or undefined when there is no manifest.
 */
export async function rerecordFiles(realDataDir: string, paths: readonly string[]): Promise<PriorEntries | undefined> {
  const old = await readManifest(realDataDir);
  if (!old) return undefined;
  const next = new Map<string, ManifestInput>([...old.entries].map(([p, e]) => [p, fromEntry(e)]));
  const prior: PriorEntries = {};
  // A run moved whole (quarantine-run) stands for every recorded file below it.
  const expanded = new Set<string>();
  for (const rel of paths) {
    expanded.add(rel);
    for (const p of old.entries.keys()) if (p.startsWith(rel + '/')) expanded.add(p);
  }
  for (const rel of expanded) {
    const before = old.entries.get(rel);
    // Only files inside runs/ are recorded by manifest write; a quarantine path or the tool's own state is not data.
    if (!before && !rel.startsWith('runs/')) continue;
    const now = await currentImage(realDataDir, rel);
    if (now === undefined && !before) continue;
    prior[rel] = before ? fromEntry(before) : null;
    if (now) next.set(rel, now);
    else next.delete(rel);
  }
  if (Object.keys(prior).length === 0) return prior;
  await writeManifest(realDataDir, next.values(), { dirs: old.dirs?.entries() });
  return prior;
}

/** Undo's half: puts back the entries rerecordFiles replaced, leaving every other entry as it is. */
export async function restoreEntries(realDataDir: string, prior: PriorEntries): Promise<void> {
  const old = await readManifest(realDataDir);
  if (!old || Object.keys(prior).length === 0) return;
  const next = new Map<string, ManifestInput>([...old.entries].map(([p, e]) => [p, fromEntry(e)]));
  for (const [rel, entry] of Object.entries(prior)) {
    if (entry) next.set(rel, entry);
    else next.delete(rel);
  }
  await writeManifest(realDataDir, next.values(), { dirs: old.dirs?.entries() });
}

/** The file beside a repair's journal that holds the manifest entries it replaced. */
export function priorEntriesPath(repairDir: string): string {
  return join(repairDir, 'manifest-before.json');
}

/**
 * Before a repair changes anything: which of the paths it will change still agree with the manifest
 * (same bytes, or an append-only file whose recorded bytes are intact; for a database, the same
 * recorded rows). Only those are re-recorded afterwards: there the manifest recorded the damage
 * itself, and the repair's change is the tool's own. A file that already differed from its record
 * lost recorded bytes to the damage; the manifest keeps saying so (manifest/modified) until a backup
 * brings them back or the user records the change with `manifest write`.
 */
export async function noteAgreement(realDataDir: string, repairDir: string, paths: readonly string[], databases: readonly string[] = []): Promise<void> {
  if (await readPrior(repairDir)) return;
  const state = await readManifest(realDataDir);
  const agreed: string[] = [];
  for (const rel of new Set(paths)) {
    const entry = state?.entries.get(rel);
    if (!entry) continue;
    const abs = await safePath(realDataDir, rel).catch(() => undefined);
    const st = abs ? await lstat(abs).catch(() => undefined) : undefined;
    if (!abs || !st?.isFile()) continue;
    const size = entry.record?.appendOnly ? entry.record.size : undefined;
    const r = await readFileOnce(abs, undefined, size !== undefined ? { prefixBytes: size } : {});
    if (r.sha256 === entry.sha256 || (size !== undefined && r.prefixSha256 === entry.sha256)) agreed.push(rel);
  }
  if (databases.length > 0) {
    const { verifyDatabaseManifest } = await import('../layouts/trackioSqlite/databaseManifest.js');
    const differ = new Set<string>();
    const recorded = await verifyDatabaseManifest(realDataDir, (f) => { if (f.code === 'manifest/modified' || f.code === 'manifest/missing') differ.add(f.path); }, databases);
    if (recorded) agreed.push(...databases.filter((p) => !differ.has(p)));
  }
  const doc: SavedPrior = { agreed };
  await writeFileAtomic(priorEntriesPath(repairDir), JSON.stringify(doc, null, 1) + '\n');
}

/**
 * Re-records after a repair the paths noteAgreement found in agreement, and keeps what it replaced
 * beside the journal. A resumed repair runs this again: the first saved prior entries are kept,
 * since the second pass would see the re-recorded ones. Without a note (a crash before it was
 * written) nothing is re-recorded: the manifest then reports the change, which is never wrong.
 */
export async function rerecordAfterRepair(realDataDir: string, repairDir: string, paths: readonly string[], databases: readonly string[] = []): Promise<void> {
  const saved = await readPrior(repairDir);
  if (!saved || saved.files) return;
  const agreed = new Set(saved.agreed);
  const dbs = databases.filter((p) => agreed.has(p));
  // Real Trackio's databases are recorded by their rows, in their own record.
  const dbm = dbs.length > 0 ? await import('../layouts/trackioSqlite/databaseManifest.js') : undefined;
  const dbPrior = dbm ? await dbm.readDatabaseEntries(realDataDir, dbs) : undefined;
  const files = paths.filter((p) => agreed.has(p));
  const prior = files.length > 0 ? await rerecordFiles(realDataDir, files) : undefined;
  const doc: SavedPrior = { agreed: saved.agreed, files: prior ?? {}, databases: dbPrior };
  await writeFileAtomic(priorEntriesPath(repairDir), JSON.stringify(doc, null, 1) + '\n');
  if (dbm && dbPrior) await dbm.writeDatabaseManifest(realDataDir, dbs.filter((p) => dbPrior[p] !== null));
}

/** What manifest-before.json holds: the paths in agreement before the repair, then the entries it replaced. */
interface SavedPrior {
  agreed: string[];
  files?: PriorEntries;
  databases?: Record<string, unknown>;
}

/** Undo's half, reading what rerecordAfterRepair kept. */
export async function restoreAfterUndo(realDataDir: string, repairDir: string): Promise<void> {
  const prior = await readPrior(repairDir);
  if (!prior?.files) return;
  await restoreEntries(realDataDir, prior.files);
  if (prior.databases) {
    const { putDatabaseEntries } = await import('../layouts/trackioSqlite/databaseManifest.js');
    await putDatabaseEntries(realDataDir, prior.databases);
  }
}

async function readPrior(repairDir: string): Promise<SavedPrior | undefined> {
  try {
    return JSON.parse(await readFile(priorEntriesPath(repairDir), 'utf8')) as SavedPrior;
  } catch {
    return undefined;
  }
}

async function currentImage(realDataDir: string, rel: string): Promise<ManifestInput | undefined> {
  if (TEMP_NAME.test(rel.slice(rel.lastIndexOf('/') + 1))) return undefined;
  const abs = await safePath(realDataDir, rel).catch(() => undefined);
  if (!abs) return undefined;
  const st = await lstat(abs).catch(() => undefined);
  if (!st?.isFile()) return undefined;
  const r = await readFileOnce(abs);
  return { path: rel, sha256: r.sha256, size: r.size, mtimeMs: r.stat.mtimeMs, ino: r.stat.ino };
}

function fromEntry(entry: ManifestEntry): ManifestInput {
  const rec = entry.record;
  if (!rec) return { path: entry.path, sha256: entry.sha256 };
  return { path: entry.path, sha256: entry.sha256, size: rec.size, mtimeMs: rec.mtimeMs, ino: rec.ino, lines: rec.lines, live: rec.live, findings: rec.findings };
}
