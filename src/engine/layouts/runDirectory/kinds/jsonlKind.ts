import { readFileOnce } from '../../../fs/readFileOnce.js';
import type { FileRecord } from '../../../finding.js';
import { parallelConfig } from '../parallel/parallelConfig.js';
import { JsonlScanner, type JsonlSummary } from './JsonlScanner.js';
import type { FileContext, FileKind, FileScan } from './FileKind.js';
import type { ReadResult } from '../../../fs/readFileOnce.js';

/** metrics.jsonl: hashed and parsed line by line in the same pass; a large one on worker threads too. */
export const jsonlKind: FileKind = {
  name: 'jsonl',
  async check(ctx) {
    const config = parallelConfig(ctx.stat.size);
    if (config && config.workers > 0) {
      // Loaded only when needed: small data dirs never pay for the worker machinery.
      const { scanJsonlParallel } = await import('../parallel/scanJsonlParallel.js');
      const read = await scanJsonlParallel(ctx.abs, { run: ctx.run, path: ctx.rel, live: ctx.live, config, prefixBytes: ctx.prefixBytes }, ctx.emit);
      return recordOf(ctx, read, read.summary);
    }
    const scan = scanOnMainThread(ctx);
    return scan.finish(await readFileOnce(ctx.abs, (chunk) => scan.push(chunk), { prefixBytes: ctx.prefixBytes }));
  },
  begin(ctx) {
    const config = parallelConfig(ctx.stat.size);
    return config && config.workers > 0 ? undefined : scanOnMainThread(ctx);
  },
};

function scanOnMainThread(ctx: FileContext): FileScan {
  const scanner = new JsonlScanner({ run: ctx.run, path: ctx.rel, live: ctx.live }, ctx.emit);
  return { push: (chunk) => scanner.push(chunk), finish: (read) => recordOf(ctx, read, scanner.end()) };
}

function recordOf(ctx: FileContext, read: ReadResult, summary: JsonlSummary): FileRecord {
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
}
