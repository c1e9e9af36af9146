import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeTrackioDir } from '../../fixtures/build/trackioDb.mjs';
import { trackioOperations } from '../../fixtures/build/trackioOperations.mjs';
import { check } from '../helpers/engine.js';
import { tempDir } from '../helpers/cli.js';

// Found by running real Trackio 0.36: an image logged inside a Trace is stored in traces.messages
// (or .metadata), and the metrics row of that step does not mention it, so a lost trace image was
// never reported. Each case: the file present is clean; the file gone is one missing-media finding
// on the traces row. `plain` traces without media around it make the scan take its fast path
// (most rows judged in SQLite, the few with `_type` looked up) as well as the whole-chunk path.
describe('trackio/missing-media: media inside traces (messages and metadata) are looked for', () => {
  for (const where of ['messages', 'metadata'] as const) {
    for (const plain of [0, 40]) {
      it(`an image in the trace's ${where}, ${plain} other traces`, async () => {
        const dataDir = makeTrackioDir(tempDir(), { projects: [['mnist', 'current']] });
        const { rowId, media } = trackioOperations.traceWithMedia(dataDir, 'mnist', where, plain);
        expect((await check(dataDir)).report.findings).toEqual([]);
        rmSync(join(dataDir, media));
        const { report } = await check(dataDir);
        expect(report.findings.map((f) => [f.code, f.severity, f.path, f.table, f.rowId])).toEqual([['trackio/missing-media', 'warning', 'mnist.db', 'traces', rowId]]);
        expect(report.findings[0]!.message).toBe(`traces row ${rowId} (run run-0, step 2): media file mnist/run-0/2/0b5e7c1e-trace.png is missing`);
      });
    }
  }
});
