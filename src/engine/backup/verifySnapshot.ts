import { basename } from 'node:path';
import type { Finding } from '../finding.js';
import { describeIoError } from '../fs/describeIoError.js';
import { sha256File } from '../fs/sha256File.js';
import { makeFinding } from '../makeFinding.js';
import { countSeverities } from '../report.js';
import { forEachConcurrently } from '../forEachConcurrently.js';
import { readSnapshotManifest, type SnapshotManifest } from './readSnapshotManifest.js';
import { walkTree, type WalkEntry } from '../fs/walkTree.js';
import { readSnapshotMeta, writeSnapshotMeta, type SnapshotMeta, type SnapshotState } from './SnapshotMeta.js';
import { readSnapshotIndexLines, type FileIndexEntry, type IndexEntry } from './snapshotIndex.js';
import { INDEX_FILE, MANIFEST_FILE, META_FILE, SNAPSHOT_OWN_FILES } from './snapshotLayout.js';
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
  /** A partial snapshot: how many paths of the data dir it lacks, and (up to 1000 of) which. */
  lacks?: { count: number; paths: string[] };
}

export interface VerifyOptions {
  /** Record the outcome (state, verifiedAt) in the snapshot's metadata; default true. */
  record?: boolean;
  concurrency?: number;
  onFile?: (bytes: number) => void;
  /**
   * Hashes already taken in this run, by inode (dev, ino, size, mtime, ctime): hard-linked
   * snapshots share one inode per unchanged file, which is read once however many names it has.
   */
  inodeHashes?: Map<string, Promise<{ sha256: string; size: number }>>;
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
  const invalid = (file: string, message: string, line?: number) =>
    findings.push(makeFinding('backup/manifest-invalid', { run: null, path: `${name}/${file}`, ...(line !== undefined && line > 0 ? { line } : {}) }, message));
  let files = 0;
  let bytes = 0;
  // One walk of the snapshot, links never followed: what is really there, and what is a link.
  const tree = new Map<string, WalkEntry>();
  for (const e of walkTree(snapshotDir, { skip: (rel) => SNAPSHOT_OWN_FILES.has(rel) })) tree.set(e.rel, e);
  const manifest = await readSnapshotManifest(snapshotDir);
  const listed = new Set<string>();
  if (!manifest) {
    invalid(MANIFEST_FILE, 'no readable manifest-sha256.txt (missing, or not a regular file): nothing to verify this snapshot against');
  } else {
    for (const line of manifest.badLines) invalid(MANIFEST_FILE, 'not a sha256sum line, or a path outside the snapshot: not opened', line);
    for (const line of manifest.duplicateLines) invalid(MANIFEST_FILE, 'names a path an earlier line already names: the manifest was edited, and restore could not make the file twice', line);
    for (const e of manifest.entries) listed.add(e.path);
    await forEachConcurrently(manifest.entries, options.concurrency ?? 4, async (e) => {
      const found = tree.get(e.path);
      if (!found) {
        const link = linkAbove(tree, e.path);
        if (link) findings.push(makeFinding('backup/modified', at(e.path), `reached through the symbolic link ${link.rel} (to ${link.link.real ?? link.link.target}): links in a snapshot are never followed, so it is not opened`));
        else findings.push(makeFinding('backup/missing', at(e.path), 'listed in the manifest, gone from the snapshot'));
        return;
      }
      if (found.kind !== 'file') {
        findings.push(makeFinding('backup/modified', at(e.path), `no longer a regular file (${found.kind === 'symlink' ? 'a symbolic link' : found.kind === 'dir' ? 'a directory' : 'a FIFO, socket or device'}): not opened`));
        return;
      }
      let got;
      try {
        const st = found.stat;
        const key = `${st.dev}:${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}`;
        let hashing = options.inodeHashes?.get(key);
        if (!hashing) {
          hashing = sha256File(found.abs);
          options.inodeHashes?.set(key, hashing);
          hashing.then((h) => options.onFile?.(h.size), () => {});
        }
        got = await hashing;
      } catch (err) {
        findings.push(makeFinding('backup/modified', at(e.path), `cannot be read: ${(err as Error).message}`));
        return;
      }
      files++;
      bytes += got.size;
      if (got.sha256 !== e.sha256) {
        const shared = found.stat.nlink > 1 ? `; its inode is shared by ${found.stat.nlink} names (hard-linked snapshots), which all hold these same damaged bytes` : '';
        const args = { sha256: got.sha256, expected: e.sha256, ...(found.stat.nlink > 1 ? { sharedBy: found.stat.nlink } : {}) };
        findings.push(makeFinding('backup/modified', at(e.path), `content does not match the manifest (sha256 ${got.sha256.slice(0, 12)}…, recorded ${e.sha256.slice(0, 12)}…)${shared}`, undefined, args));
      }
    });
  }

  // The index is what restore makes directories, modes and links from: a snapshot of ours without a
  // readable one would restore without its links and empty folders, so it is not intact.
  const meta = await readSnapshotMeta(snapshotDir);
  const index = await readSnapshotIndexLines(snapshotDir);
  if (index === undefined && meta) invalid(INDEX_FILE, 'the snapshot index is gone: its symbolic links, empty folders and folder modes cannot be restored');
  for (const line of index?.badLines ?? []) invalid(INDEX_FILE, line > 0 ? 'not an index entry, a path outside the snapshot, or a path named twice: not used' : 'the snapshot index cannot be read (not a regular file?)', line);
  const trusted = index?.badLines.length === 0 ? index.entries : undefined;
  const links = new Map<string, string>();
  for (const e of trusted ?? []) if (e.t === 'l') links.set(e.p, e.target);
  for (const [p, target] of links) {
    const now = tree.get(p);
    if (!now || now.kind !== 'symlink') findings.push(makeFinding('backup/missing', at(p), `symbolic link (to ${target}) gone from the snapshot`));
    else if (now.link.target !== target) findings.push(makeFinding('backup/modified', at(p), `symbolic link now leads to ${now.link.target}, recorded ${target}`));
  }
  if (manifest) {
    for (const [p, e] of tree) {
      if (e.kind === 'dir' || linkAbove(tree, p)) continue;
      if (e.kind === 'symlink' ? !links.has(p) : !listed.has(p)) findings.push(makeFinding('backup/unlisted', at(p), e.kind === 'symlink' ? `a symbolic link (to ${e.link.target}) its index does not record: never followed, not restored` : 'in the snapshot but not in its manifest'));
    }
    agree(manifest, trusted, meta, invalid);
  }

  findings.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const { errors, warnings } = countSeverities(findings);
  const ok = errors === 0;
  const result: SnapshotVerification = { name, path: snapshotDir, ok, files, bytes, errors, warnings, findings };
  if (meta) {
    // A snapshot that lacks files stays partial however often it verifies: what it lacks is not in it.
    result.state = !ok ? 'damaged' : meta.lacking ? 'partial' : 'verified';
    if (meta.lacking) result.lacks = { count: meta.lacking, paths: meta.lacks ?? [] };
    if (options.record !== false) {
      try {
        await writeSnapshotMeta(snapshotDir, { ...meta, state: result.state, verifiedAt: ok ? new Date().toISOString() : meta.verifiedAt, problems: errors + (meta.lacking ?? 0) });
      } catch (err) {
        // The verdict stands on the hashes just read: a full or read-only disk only costs its record.
        const why = describeIoError(err, undefined);
        if (!why) throw err;
        findings.push(makeFinding('backup/unrecorded', { run: null, path: `${name}/${META_FILE}` }, `verified, but the outcome could not be recorded (${why}): backups list shows the state recorded before`));
        result.warnings++;
      }
    }
  }
  return result;
}

/**
 * The snapshot's three records must tell the same story: the manifest lists exactly the files the
 * index records (same paths, same hashes), as many as the metadata counts, with the bytes it counts.
 * An emptied or shortened manifest would otherwise verify (nothing listed, nothing wrong) and
 * restore as an empty data dir.
 */
function agree(manifest: SnapshotManifest, index: IndexEntry[] | undefined, meta: SnapshotMeta | undefined, invalid: (file: string, message: string) => void): void {
  const listed = new Map(manifest.entries.map((e) => [e.path, e.sha256]));
  if (index) {
    const indexed = index.filter((e): e is FileIndexEntry => e.t === 'f');
    const notListed = indexed.filter((e) => listed.get(e.p) !== e.sha256);
    const inIndex = new Set(indexed.map((e) => e.p));
    const notIndexed = manifest.entries.filter((e) => !inIndex.has(e.path));
    if (notListed.length > 0 || notIndexed.length > 0) {
      const example = notListed[0] ? `${notListed[0].p} is in the index${listed.has(notListed[0].p) ? ' with another hash' : ' only'}` : `${notIndexed[0]!.path} is in the manifest only`;
      invalid(MANIFEST_FILE, `the manifest (${manifest.entries.length} files) and the index (${indexed.length} files) disagree, e.g. ${example}: one of them was edited; the snapshot cannot be trusted to restore whole`);
    }
    if (meta && indexed.reduce((n, e) => n + e.size, 0) !== meta.bytes) {
      invalid(INDEX_FILE, `the index records ${indexed.reduce((n, e) => n + e.size, 0)} bytes of files, the metadata ${meta.bytes}: one of them was edited`);
    }
  }
  if (meta && meta.files !== manifest.entries.length) {
    invalid(MANIFEST_FILE, `the manifest lists ${manifest.entries.length} files, the snapshot's metadata counts ${meta.files}: the manifest was edited (emptied or shortened); restoring it would bring back less than was backed up`);
  } else if (!meta && !index && manifest.entries.length === 0) {
    invalid(MANIFEST_FILE, 'the manifest lists no file and the snapshot has no record of its own to say it was empty: nothing would be restored');
  }
}

/** The nearest proper ancestor of `rel` that the walk found to be a symbolic link. */
function linkAbove(tree: Map<string, WalkEntry>, rel: string): Extract<WalkEntry, { kind: 'symlink' }> | undefined {
  for (let cut = rel.lastIndexOf('/'); cut > 0; cut = rel.lastIndexOf('/', cut - 1)) {
    const e = tree.get(rel.slice(0, cut));
    if (e?.kind === 'symlink') return e;
  }
  return undefined;
}
