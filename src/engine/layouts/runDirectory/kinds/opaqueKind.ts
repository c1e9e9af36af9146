import { readFileOnce } from '../../../fs/readFileOnce.js';
import type { FileKind } from './FileKind.js';

/** artifacts/**, logs/** and anything else: hashed, never parsed. */
export const opaqueKind: FileKind = {
  name: 'opaque',
  async check(ctx) {
    const read = await readFileOnce(ctx.abs);
    return { path: ctx.rel, run: ctx.run, size: read.size, sha256: read.sha256, mtimeMs: read.stat.mtimeMs, ino: read.stat.ino };
  },
};
