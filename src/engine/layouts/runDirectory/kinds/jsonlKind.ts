import { readFileOnce } from '../../../fs/readFileOnce.js';
import { parallelConfig } from '../parallel/parallelConfig.js';
import { JsonlScanner, type JsonlSummary } from './JsonlScanner.js';
import type { FileKind } from './FileKind.js';
import type { ReadResult } from '../../../fs/readFileOnce.js';

/** metrics.jsonl: hashed and parsed line by line in the same pass; a large one on worker threads too. */
export const jsonlKind: FileKind = {
  name: 'jsonl',
  async check(ctx) {
    const config = parallelConfig(ctx.stat.size);
    let read: ReadResult & { summary: JsonlSummary };
    if (config && config.workers > 0) {
      // Loaded only when needed: small data dirs never pay for the worker machinery.
      const { scanJsonlParallel } = await import('../parallel/scanJsonlParallel.js');
      read = await scanJsonlParallel(ctx.abs, { run: ctx.run, path: ctx.rel, live: ctx.live, config, prefixBytes: ctx.prefixBytes }, ctx.emit);
    } else {
      const scanner = new JsonlScanner({ run: ctx.run, path: ctx.rel, live: ctx.live }, ctx.emit);
      read = { ...(await readFileOnce(ctx.abs, (chunk) => scanner.push(chunk), { prefixBytes: ctx.prefixBytes })), summary: scanner.end() };
    }
    return {
      path: ctx.rel,
      run: ctx.run,
      size: read.size,
      sha256: read.sha256,
      mtimeMs: read.stat.mtimeMs,
      ino: read.stat.ino,
      lines: read.summary.lines,
      ...(read.prefixSha256 !== undefined && { prefixSha256: read.prefixSha256 }),
    };
  },
};
