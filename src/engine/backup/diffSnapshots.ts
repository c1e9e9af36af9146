import { join } from 'node:path';
import { FsckError } from '../errors.js';
import { EXIT } from '../report.js';
import { TOOL, VERSION } from '../version.js';
import { findSnapshots } from './findSnapshots.js';
import { readSnapshotManifest } from './readSnapshotManifest.js';
import { requireBackupsDir } from './resolveBackupsDir.js';
import { toDataPath } from './snapshotLayout.js';

export interface SnapshotDiff {
  tool: string;
  version: string;
  command: 'backups diff';
  backupsDir: string;
  from: string;
  to: string;
  /** Paths as in the data dir, sorted. */
  added: string[];
  removed: string[];
  changed: string[];
  unchanged: number;
  exitCode: number;
}

/**
 * What changed between two snapshots, read from their manifests alone (no data file is opened, so
 * it is instant even for large backups): files added, removed, and whose SHA-256 differs.
 */
export async function diffSnapshots(backupsDir: string, from: string, to: string): Promise<SnapshotDiff> {
  requireBackupsDir(backupsDir);
  const known = new Map((await findSnapshots(backupsDir)).map((s) => [s.name, s]));
  const read = async (name: string): Promise<Map<string, string>> => {
    const s = known.get(name);
    if (!s || s.state === 'incomplete') throw new FsckError(`no snapshot ${name} in ${backupsDir}; see trackio-fsck backups list`, EXIT.operational);
    const m = await readSnapshotManifest(join(backupsDir, name));
    if (!m) throw new FsckError(`${name} has no manifest-sha256.txt: cannot tell what it holds without reading it (backups verify)`, EXIT.operational);
    return new Map(m.entries.map((e) => [toDataPath(e.path), e.sha256]));
  };
  const [a, b] = [await read(from), await read(to)];
  const added: string[] = [];
  const removed: string[] = [];
  const changed: string[] = [];
  let unchanged = 0;
  for (const [path, sha] of b) {
    const before = a.get(path);
    if (before === undefined) added.push(path);
    else if (before !== sha) changed.push(path);
    else unchanged++;
  }
  for (const path of a.keys()) if (!b.has(path)) removed.push(path);
  const byName = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);
  return { tool: TOOL, version: VERSION, command: 'backups diff', backupsDir, from, to, added: added.sort(byName), removed: removed.sort(byName), changed: changed.sort(byName), unchanged, exitCode: EXIT.clean };
}
