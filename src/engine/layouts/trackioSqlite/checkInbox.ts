import { join } from 'node:path';
import type { FileRecord, Finding } from '../../finding.js';
import { readFileOnce } from '../../fs/readFileOnce.js';
import { JsonlScanner } from '../runDirectory/kinds/JsonlScanner.js';
import { makeFinding } from '../../makeFinding.js';
import { TEMP_NAME } from '../runDirectory/listRunFiles.js';
import type { Validator } from '../../validators.js';
import { walkFiles } from './walkFiles.js';

/** One inbox record: `{"v": 1, "kind": "metric", ...}`; the rest depends on the kind. */
export const validateInboxRecord: Validator = Object.assign(
  (data: unknown): boolean => {
    const fail = (instancePath: string, message: string) => {
      validateInboxRecord.errors = [{ instancePath, message, keyword: 'inbox' }];
      return false;
    };
    if (typeof data !== 'object' || data === null || Array.isArray(data)) return fail('', 'must be an object');
    const r = data as Record<string, unknown>;
    if (r.v !== 1) return fail('/v', 'must be 1');
    if (typeof r.kind !== 'string' || r.kind === '') return fail('/kind', 'must be a non-empty string');
    validateInboxRecord.errors = null;
    return true;
  },
  { errors: null },
);

/**
 * inbox/<writer>/<seq>.jsonl fragments (Trackio on network filesystems) go through the same
 * tolerant scanner as metrics.jsonl, with the inbox record shape and no step order (a fragment
 * may hold several runs). Temp files of an interrupted write are leftovers unless a writer is live.
 */
export async function checkInbox(dataDir: string, anyLive: boolean, emit: (f: Finding) => void): Promise<FileRecord[]> {
  const records: FileRecord[] = [];
  const root = join(dataDir, 'inbox');
  for (const rel of await walkFiles(root)) {
    const path = `inbox/${rel}`;
    const name = rel.slice(rel.lastIndexOf('/') + 1);
    if (TEMP_NAME.test(name)) {
      if (!anyLive) emit(makeFinding('fs/leftover-temp', { run: null, path }, 'temporary file of an interrupted inbox write', { action: 'quarantine-file', safe: true }));
      continue;
    }
    if (!name.endsWith('.jsonl')) continue;
    const scanner = new JsonlScanner({ run: null, path, validate: validateInboxRecord, checkStepOrder: false }, emit);
    try {
      const read = await readFileOnce(join(root, rel), (chunk) => scanner.push(chunk));
      const summary = scanner.end();
      records.push({ path, run: null, size: read.size, sha256: read.sha256, mtimeMs: read.stat.mtimeMs, ino: read.stat.ino, lines: summary.lines });
    } catch (err) {
      emit(makeFinding('fs/unreadable', { run: null, path }, `cannot read: ${(err as Error).message}`));
    }
  }
  return records;
}
