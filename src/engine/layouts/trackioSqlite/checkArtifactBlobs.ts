import { join } from 'node:path';
import type { FileRecord, Finding } from '../../finding.js';
import { readFileOnce } from '../../fs/readFileOnce.js';
import { makeFinding } from '../../makeFinding.js';
import { walkFiles } from './walkFiles.js';

const SHA256_NAME = /^[0-9a-f]{64}$/;
const PARTIAL = /\.partial([.-]|$)/;

/**
 * Hashes every content-addressed blob under artifacts/<project>/blobs/sha256/<2 hex>/<digest>: a
 * blob's name is its SHA-256, so a different hash means its bytes changed. Unfinished `*.partial.*`
 * writes are damage only when no writer of that project is live.
 */
export async function checkArtifactBlobs(
  dataDir: string,
  isLive: (project: string) => boolean,
  emit: (f: Finding) => void,
  only?: ReadonlySet<string>,
): Promise<FileRecord[]> {
  const records: FileRecord[] = [];
  const root = join(dataDir, 'artifacts');
  for (const rel of await walkFiles(root)) {
    const [project, blobs, algo, shard, name, ...deeper] = rel.split('/');
    if (blobs !== 'blobs' || algo !== 'sha256' || !name || deeper.length > 0) continue;
    if (only && !only.has(project!)) continue;
    const path = `artifacts/${rel}`;
    if (PARTIAL.test(name)) {
      if (!isLive(project!)) emit(makeFinding('trackio/partial-blob', { run: null, path }, 'unfinished blob of an interrupted artifact upload or copy', { action: 'quarantine-file', safe: true }));
      continue;
    }
    let read;
    try {
      read = await readFileOnce(join(root, rel));
    } catch (err) {
      emit(makeFinding('fs/unreadable', { run: null, path }, `cannot read: ${(err as Error).message}`));
      continue;
    }
    records.push({ path, run: null, size: read.size, sha256: read.sha256, mtimeMs: read.stat.mtimeMs, ino: read.stat.ino });
    if (!SHA256_NAME.test(name)) {
      emit(makeFinding('trackio/blob-digest', { run: null, path }, `blob name is not a SHA-256 digest (its SHA-256 is ${read.sha256})`));
    } else if (read.sha256 !== name || shard !== name.slice(0, 2)) {
      const why = read.sha256 !== name ? `its SHA-256 is ${read.sha256}` : `it sits under ${shard}/, not ${name.slice(0, 2)}/`;
      emit(makeFinding('trackio/blob-digest', { run: null, path }, `blob content does not match its name: ${why}`));
    }
  }
  return records;
}
