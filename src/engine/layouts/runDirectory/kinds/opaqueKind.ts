import { readFileOnce, type ReadResult } from '../../../fs/readFileOnce.js';
import type { FileRecord } from '../../../finding.js';
import type { FileContext, FileKind } from './FileKind.js';

/** artifacts/**, logs/** and anything else: hashed, never parsed. */
export const opaqueKind: FileKind = {
  name: 'opaque',
  async check(ctx) {
    return recordOf(ctx, await readFileOnce(ctx.abs));
  },
  begin(ctx) {
    return { push() {}, finish: (read) => recordOf(ctx, read) };
  },
};

function recordOf(ctx: FileContext, read: ReadResult): FileRecord {
  return { path: ctx.rel, run: ctx.run, size: read.size, sha256: read.sha256, mtimeMs: read.stat.mtimeMs, ino: read.stat.ino };
}
