import { createHash } from 'node:crypto';
import { lstat, mkdir, realpath } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Finding } from '../finding.js';
import { FsckError } from '../errors.js';
import { isInside } from '../fs/isInside.js';
import { ignoreStateDir } from '../fs/ignoreStateDir.js';
import { writeFileAtomic } from '../fs/writeFileAtomic.js';
import { pathBytes } from '../fs/pathBytes.js';
import { TOOL, VERSION } from '../version.js';
import { isSafeRelPath } from '../fs/safePath.js';
import { isAppendOnly, manifestPaths, RECORD_FORMAT, type ManifestPaths } from './manifestPaths.js';
import type { RecordEntry } from './readManifest.js';
import { formatSha256sumLine } from './sha256sumLine.js';
import type { DirListing } from '../layouts/runDirectory/listRunFiles.js';
import { columnLines, toColumns } from './recordColumns.js';
import { toStoredDirs } from './RecordedDirs.js';

/** One file to record. A FileRecord from check() fits; stat fields may be absent for entries kept from an old manifest. */
export interface ManifestInput {
  path: string;
  sha256: string;
  size?: number;
  mtimeMs?: number;
  ino?: number;
  lines?: number;
  live?: boolean;
  findings?: Finding[];
}

export interface WriteManifestOptions {
  /** Time stamp written into the record (tests pin it). */
  now?: Date;
  /** Directory listings to record beside the files (check()'s `dirs`), so check --fast can skip their readdir. */
  dirs?: Iterable<[string, DirListing]>;
}

export interface WrittenManifest extends ManifestPaths {
  files: number;
  bytes: number;
}

/**
 * Writes DIR/manifest-sha256.txt (coreutils format, paths relative to DIR) and the tool's record
 * DIR/.trackio-fsck/manifest.json, each atomically. The record is written first and carries the
 * SHA-256 of the manifest it belongs to: a crash between the two renames leaves the old manifest
 * beside a new record, which readManifest recognises (manifest/record-mismatch) and which costs
 * nothing but re-hashing, never a wrong verdict, because per-file records are only used where
 * their hash equals the manifest's.
 */
export async function writeManifest(dir: string, files: Iterable<ManifestInput>, opts: WriteManifestOptions = {}): Promise<WrittenManifest> {
  const sorted = [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  let text = '';
  let bytes = 0;
  const record: Array<[string, RecordEntry | Pick<RecordEntry, 'sha256'>]> = [];
  for (let i = 0; i < sorted.length; i++) {
    const f = sorted[i]!;
    if (!isSafeRelPath(f.path)) throw new FsckError(`refusing to record ${JSON.stringify(f.path)}: not a path inside the data dir`);
    if (i > 0 && sorted[i - 1]!.path === f.path) throw new FsckError(`refusing to record ${JSON.stringify(f.path)} twice`);
    if (!/^[0-9a-f]{64}$/.test(f.sha256)) throw new FsckError(`refusing to record ${JSON.stringify(f.path)}: ${JSON.stringify(f.sha256)} is not a SHA-256`);
    text += formatSha256sumLine(f.sha256, f.path);
    bytes += f.size ?? 0;
    record.push([f.path, toRecordEntry(f)]);
  }
  // A name that is not valid UTF-8 goes into the manifest as its own bytes, as sha256sum writes it.
  const bytes8 = pathBytes(text);
  const paths = manifestPaths(dir);
  await ensureStateDir(dir, dirname(paths.record));
  const head = {
    format: RECORD_FORMAT,
    tool: TOOL,
    version: VERSION,
    writtenAt: (opts.now ?? new Date()).toISOString(),
    manifestSha256: createHash('sha256').update(bytes8).digest('hex'),
  };
  const dirs = [...(opts.dirs ?? [])].filter(([rel]) => isSafeRelPath(rel)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  await writeFileAtomic(paths.record, recordLines(head, record, dirs));
  await writeFileAtomic(paths.manifest, bytes8);
  return { ...paths, files: sorted.length, bytes };
}

function toRecordEntry(f: ManifestInput): RecordEntry | Pick<RecordEntry, 'sha256'> {
  if (f.size === undefined || f.mtimeMs === undefined || f.ino === undefined) return { sha256: f.sha256 };
  const e: RecordEntry = { sha256: f.sha256, size: f.size, mtimeMs: f.mtimeMs, ino: f.ino };
  if (isAppendOnly(f.path)) e.appendOnly = true;
  if (f.live) e.live = true;
  if (f.lines !== undefined) e.lines = f.lines;
  if (f.findings && f.findings.length > 0) e.findings = f.findings;
  return e;
}

/** JSON with the files, and the directory listings, as columns: one column per line. */
function* recordLines(head: object, files: Array<[string, RecordEntry | Pick<RecordEntry, 'sha256'>]>, dirs: Array<[string, DirListing]>): Generator<string> {
  const top = JSON.stringify(head, null, 2);
  yield top.slice(0, -2) + ',\n  "files": {';
  yield* columnLines(toColumns(files as Array<[string, RecordEntry]>));
  if (dirs.length > 0) {
    const stored = toStoredDirs(dirs);
    yield '\n  },\n  "dirs": {';
    yield* (['path', 'mtimeMs', 'ino', 'names'] as const).map((k, i) => `${i ? ',' : ''}\n    ${JSON.stringify(k)}: ${JSON.stringify(stored[k])}`);
  }
  yield '\n  }\n}\n';
}

/** Creates DIR/.trackio-fsck, refusing one that is a link leading out of the data dir. */
async function ensureStateDir(dir: string, stateDir: string): Promise<void> {
  const created = (await mkdir(stateDir, { recursive: true })) !== undefined;
  const [realDir, realState] = await Promise.all([realpath(dir), realpath(stateDir)]);
  const st = await lstat(stateDir);
  if (!isInside(realDir, realState) || !(st.isDirectory() || st.isSymbolicLink())) {
    throw new FsckError(`${stateDir} leads outside ${dir} (to ${realState}): not writing there`);
  }
  if (created) await ignoreStateDir(stateDir);
}
