import type { Dirent } from 'node:fs';
import { lstat, readdir, readlink } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { Finding } from '../finding.js';
import { sha256File } from '../fs/sha256File.js';
import { makeFinding } from '../makeFinding.js';
import { countSeverities } from '../report.js';
import { forEachConcurrently } from '../forEachConcurrently.js';
import { readSnapshotManifest } from './readSnapshotManifest.js';
import { readSnapshotMeta, writeSnapshotMeta, type SnapshotState } from './SnapshotMeta.js';
import { readSnapshotIndexLines } from './snapshotIndex.js';
import { INDEX_FILE, MANIFEST_FILE, SNAPSHOT_OWN_FILES } from './snapshotLayout.js';
import { runOf } from './walkDataDir.js';

export interface SnapshotVerification {
  name: string;
  path: string;
  ok: boolean;
  /** The state recorded after this verify (undefined for a snapshot without trackio-fsck's record). */
  state?: SnapshotState;
  files: number;
  bytes: number;
  errors: number;
  warnings: number;
  findings: Finding[];
}

export interface VerifyOptions {
  /** Record the outcome (state, verifiedAt) in the snapshot's metadata; default true. */
  record?: boolean;
  concurrency?: number;
  onFile?: (bytes: number) => void;
}

/**
 * Re-hashes every file the snapshot's manifest lists, without trackio-fsck's help beyond the
 * manifest: a file missing or not matching is an error (bit rot, tampering), a file the manifest
 * does not list a warning. Symlinks are checked against the index, never followed. Finding paths
 * are `<snapshot>/<path inside it>`.
 */
export async function verifySnapshot(snapshotDir: string, options: VerifyOptions = {}): Promise<SnapshotVerification> {
  const name = basename(snapshotDir);
  const findings: Finding[] = [];
  const at = (p: string) => ({ run: runOf(p), path: `${name}/${p}` });
  let files = 0;
  let bytes = 0;
  const manifest = await readSnapshotManifest(snapshotDir);
  const listed = new Set<string>();
  if (!manifest) {
    findings.push(makeFinding('backup/manifest-invalid', { run: null, path: `${name}/${MANIFEST_FILE}` }, 'no manifest-sha256.txt: nothing to verify this snapshot against'));
  } else {
    for (const line of manifest.badLines) {
      findings.push(makeFinding('backup/manifest-invalid', { run: null, path: `${name}/${MANIFEST_FILE}`, line }, 'not a sha256sum line, or a path outside the snapshot: not opened'));
    }
    for (const e of manifest.entries) listed.add(e.path);
    await forEachConcurrently(manifest.entries, options.concurrency ?? 4, async (e) => {
      const abs = join(snapshotDir, e.path);
      const st = await lstat(abs).catch(() => undefined);
      if (!st) {
        findings.push(makeFinding('backup/missing', at(e.path), 'listed in the manifest, gone from the snapshot'));
        return;
      }
      if (!st.isFile()) {
        findings.push(makeFinding('backup/modified', at(e.path), 'no longer a regular file'));
        return;
      }
      const got = await sha256File(abs);
      files++;
      bytes += got.size;
      options.onFile?.(got.size);
      if (got.sha256 !== e.sha256) {
        const shared = st.nlink > 1 ? `; its inode is shared by ${st.nlink} names (hard-linked snapshots), which all hold these same damaged bytes` : '';
        const args = { sha256: got.sha256, expected: e.sha256, ...(st.nlink > 1 ? { sharedBy: st.nlink } : {}) };
        findings.push(makeFinding('backup/modified', at(e.path), `content does not match the manifest (sha256 ${got.sha256.slice(0, 12)}…, recorded ${e.sha256.slice(0, 12)}…)${shared}`, undefined, args));
      }
    });
  }

  // The index is what restore makes directories, modes and links from: a snapshot of ours without a
  // readable one would restore without its links and empty folders, so it is not intact.
  const meta = await readSnapshotMeta(snapshotDir);
  const index = await readSnapshotIndexLines(snapshotDir);
  if (index === undefined && meta) {
    findings.push(makeFinding('backup/manifest-invalid', { run: null, path: `${name}/${INDEX_FILE}` }, 'the snapshot index is gone: its symbolic links, empty folders and folder modes cannot be restored'));
  }
  for (const line of index?.badLines ?? []) {
    findings.push(makeFinding('backup/manifest-invalid', { run: null, path: `${name}/${INDEX_FILE}`, ...(line > 0 ? { line } : {}) }, line > 0 ? 'not an index entry, or a path outside the snapshot: not used' : 'the snapshot index cannot be read'));
  }
  const links = new Map<string, string>();
  for (const e of index?.badLines.length === 0 ? index.entries : []) if (e.t === 'l') links.set(e.p, e.target);
  for (const [p, target] of links) {
    const now = await readlink(join(snapshotDir, p)).catch(() => undefined);
    if (now === undefined) findings.push(makeFinding('backup/missing', at(p), `symbolic link (to ${target}) gone from the snapshot`));
    else if (now !== target) findings.push(makeFinding('backup/modified', at(p), `symbolic link now leads to ${now}, recorded ${target}`));
  }
  if (manifest) await findUnlisted(snapshotDir, '', listed, links, (p) => findings.push(makeFinding('backup/unlisted', at(p), 'in the snapshot but not in its manifest')));

  findings.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const { errors, warnings } = countSeverities(findings);
  const ok = errors === 0;
  const result: SnapshotVerification = { name, path: snapshotDir, ok, files, bytes, errors, warnings, findings };
  if (meta) {
    result.state = ok ? 'verified' : 'damaged';
    if (options.record !== false) {
      await writeSnapshotMeta(snapshotDir, { ...meta, state: result.state, verifiedAt: ok ? new Date().toISOString() : meta.verifiedAt, problems: errors });
    }
  }
  return result;
}

async function findUnlisted(root: string, rel: string, listed: Set<string>, links: Map<string, string>, report: (p: string) => void): Promise<void> {
  let entries: Dirent[];
  try {
    entries = await readdir(join(root, rel), { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    const p = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) await findUnlisted(root, p, listed, links, report);
    else if (rel === '' && SNAPSHOT_OWN_FILES.has(e.name)) continue;
    else if (e.isSymbolicLink() ? !links.has(p) : !listed.has(p)) report(p);
  }
}
