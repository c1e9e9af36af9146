import { join } from 'node:path';
import type { FileRecord, Finding } from '../../finding.js';
import { readFileOnce } from '../../fs/readFileOnce.js';
import { makeFinding } from '../../makeFinding.js';
import { walkFiles } from './walkFiles.js';

/**
 * media/<project>/<run>/<step>/<uuid>.<ext>: logged images, audio, video, never parsed, hashed so a
 * manifest can list them (a media file is written once and never changed by Trackio).
 */
export async function hashMedia(dataDir: string, emit: (f: Finding) => void, only?: ReadonlySet<string>): Promise<FileRecord[]> {
  const records: FileRecord[] = [];
  const root = join(dataDir, 'media');
  const unreadable = (rel: string, err: NodeJS.ErrnoException) => {
    if (only && rel && !only.has(rel.split('/')[0]!)) return;
    emit(makeFinding('fs/unreadable', { run: null, path: rel ? `media/${rel}` : 'media' }, `cannot read the folder (${err.code}): the media files in it are not checked`));
  };
  for (const rel of await walkFiles(root, '', unreadable)) {
    if (only && !only.has(rel.split('/')[0]!)) continue;
    const path = `media/${rel}`;
    try {
      const read = await readFileOnce(join(root, rel));
      records.push({ path, run: null, size: read.size, sha256: read.sha256, mtimeMs: read.stat.mtimeMs, ino: read.stat.ino });
    } catch (err) {
      emit(makeFinding('fs/unreadable', { run: null, path }, `cannot read: ${(err as Error).message}`));
    }
  }
  return records;
}
