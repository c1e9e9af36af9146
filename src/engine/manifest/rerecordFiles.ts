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
 * Re-records after a repair and keeps what it replaced beside the journal. A resumed repair runs
 * this again: the first saved prior entries are kept, since the second pass would see the
 * re-recorded ones.
 */
export async function rerecordAfterRepair(realDataDir: string, repairDir: string, paths: readonly string[], databases: readonly string[] = []): Promise<void> {
  const saved = await readPrior(repairDir);
  // Real Trackio's databases are recorded by their rows, in their own record.
  const dbm = databases.length > 0 ? await import('../layouts/trackioSqlite/databaseManifest.js') : undefined;
  const dbPrior = dbm ? await dbm.readDatabaseEntries(realDataDir, databases) : undefined;
  const prior = await rerecordFiles(realDataDir, paths);
  if (!saved && ((prior && Object.keys(prior).length > 0) || dbPrior)) {
    const doc: SavedPrior = { files: prior ?? {}, databases: dbPrior };
    await writeFileAtomic(priorEntriesPath(repairDir), JSON.stringify(doc, null, 1) + '\n');
  }
  if (dbm && dbPrior) await dbm.writeDatabaseManifest(realDataDir, databases.filter((p) => dbPrior[p] !== null));
}

/** What manifest-before.json holds. */
interface SavedPrior {
  files: PriorEntries;
  databases?: Record<string, unknown>;
}

/** Undo's half, reading what rerecordAfterRepair kept. */
export async function restoreAfterUndo(realDataDir: string, repairDir: string): Promise<void> {
  const prior = await readPrior(repairDir);
  if (!prior) return;
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
