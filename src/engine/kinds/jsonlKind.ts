import { readFileOnce } from '../io/readFileOnce.js';
import { JsonlScanner } from './JsonlScanner.js';
import type { FileKind } from './FileKind.js';

/** metrics.jsonl: hashed and parsed line by line in the same pass. */
export const jsonlKind: FileKind = {
  name: 'jsonl',
  async check(ctx) {
    const scanner = new JsonlScanner({ run: ctx.run, path: ctx.rel, live: ctx.live }, ctx.emit);
    const read = await readFileOnce(ctx.abs, (chunk) => scanner.push(chunk), { prefixBytes: ctx.prefixBytes });
    const summary = scanner.end();
    return {
      path: ctx.rel,
      run: ctx.run,
      size: read.size,
      sha256: read.sha256,
      mtimeMs: read.stat.mtimeMs,
      ino: read.stat.ino,
      lines: summary.lines,
      ...(read.prefixSha256 !== undefined && { prefixSha256: read.prefixSha256 }),
    };
  },
};
