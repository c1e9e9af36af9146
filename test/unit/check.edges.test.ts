import { readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeDataDir, metricsLines, metricsRecord, moreDamage, runId, writeRun } from '../../fixtures/build/dataDir.mjs';
import { check, type Finding } from '../helpers/engine.js';
import { tempDir } from '../helpers/cli.js';

const RUN = runId(0);
const METRICS = `runs/${RUN}/metrics.jsonl`;

/** A data dir with one finished run of `steps` records, damaged by `make`; the findings that are not info. */
async function findingsAfter(make: (dataDir: string) => void, steps = 6) {
  const dataDir = makeDataDir(tempDir(), { runs: 1, steps });
  make(dataDir);
  const { report, files } = await check(dataDir, { liveWindowMs: 0 });
  return { findings: report.findings.filter((f) => f.severity !== 'info'), report, files, dataDir };
}

const brief = (fs: Finding[]) => fs.map((f) => [f.code, f.path, f.line, f.offset, f.fix?.action]);

function lineStartOf(text: string, line: number): number {
  return Buffer.byteLength(text.split('\n').slice(0, line - 1).join('\n')) + (line > 1 ? 1 : 0);
}

describe('metrics.jsonl: what an abrupt shutdown leaves behind', () => {
  it('CRLF line ends are records like any other', async () => {
    const { findings } = await findingsAfter((d) => moreDamage.crlfLines(d, RUN));
    expect(findings).toEqual([]);
  });

  it('a CRLF file whose final "\\n" is gone: a complete record without its newline', async () => {
    const text = metricsLines(3).replace(/\n/g, '\r\n').slice(0, -1);
    const { findings } = await findingsAfter((d) => moreDamage.metricsBytes(d, RUN, text));
    expect(brief(findings)).toEqual([['jsonl/missing-final-newline', METRICS, 3, lineStartOf(text, 3), 'append-final-newline']]);
  });

  it('a NUL run in the middle, then a whole record on the same line: the NULs are reported, the record is kept, the rest reads on', async () => {
    const { findings, files } = await findingsAfter((d) => moreDamage.nulRunInMiddle(d, RUN, 3, 0));
    const original = metricsLines(6);
    expect(brief(findings)).toEqual([['jsonl/nul-bytes', METRICS, 3, lineStartOf(original, 3), 'strip-nul-bytes']]);
    expect(findings[0]!.message).toMatch(/before a record written after them; the record is kept/);
    expect(files.find((f) => f.path === METRICS)!.lines).toBe(5); // line 3's newline became a NUL
  });

  it('a NUL run in the middle that ends inside the next record: NULs mixed with a damaged record, quarantined', async () => {
    const { findings } = await findingsAfter((d) => moreDamage.nulRunInMiddle(d, RUN, 3, 7));
    expect(brief(findings)).toEqual([['jsonl/nul-bytes', METRICS, 3, lineStartOf(metricsLines(6), 3), 'quarantine-lines']]);
  });

  it('a record, then NULs where its newline should be: the NULs follow the record, which is kept', async () => {
    const body = metricsLines(3);
    const bytes = Buffer.concat([Buffer.from(body.slice(0, -1)), Buffer.alloc(64)]);
    const { findings } = await findingsAfter((d) => moreDamage.metricsBytes(d, RUN, bytes));
    const last = lineStartOf(body, 3);
    expect(brief(findings)).toEqual([
      ['jsonl/missing-final-newline', METRICS, 3, last, 'append-final-newline'],
      ['jsonl/nul-bytes', METRICS, 3, body.length - 1, 'strip-nul-bytes'],
    ]);
    expect(findings[1]!.message).toMatch(/after a complete record/);
  });

  it('a torn multi-byte character at the very end: a truncated tail', async () => {
    const body = metricsLines(2);
    const record = Buffer.from(metricsRecord(2, { 'val/損失': 0.5 }) + '\n');
    const cut = record.indexOf(Buffer.from('損')) + 2; // two of its three bytes
    const bytes = Buffer.concat([Buffer.from(body), record.subarray(0, cut)]);
    const { findings } = await findingsAfter((d) => moreDamage.metricsBytes(d, RUN, bytes));
    expect(brief(findings)).toEqual([['jsonl/truncated-tail', METRICS, 3, body.length, 'trim-last-line']]);
    expect(findings[0]!.message).toMatch(/multi-byte UTF-8 character/);
  });

  it('a file of NULs only', async () => {
    const { findings } = await findingsAfter((d) => moreDamage.metricsBytes(d, RUN, Buffer.alloc(8192)));
    expect(brief(findings)).toEqual([['jsonl/nul-bytes', METRICS, 1, 0, 'trim-last-line']]);
  });

  it('a file that is only a partial line', async () => {
    const { findings } = await findingsAfter((d) => moreDamage.metricsBytes(d, RUN, metricsRecord(0).slice(0, 20)));
    expect(brief(findings)).toEqual([['jsonl/truncated-tail', METRICS, 1, 0, 'trim-last-line']]);
  });

  it('a file of zero bytes: a run that logged nothing, not damage', async () => {
    const { findings, files } = await findingsAfter((d) => moreDamage.emptyMetrics(d, RUN));
    expect(findings).toEqual([]);
    expect(files.find((f) => f.path === METRICS)).toMatchObject({ size: 0, lines: 0 });
  });

  it('a live run: the line being written is not damage, but NULs before it are', async () => {
    const dataDir = makeDataDir(tempDir(), { runs: 0 });
    writeRun(dataDir, RUN, { finished: false });
    const body = metricsLines(4);
    moreDamage.metricsBytes(dataDir, RUN, Buffer.concat([Buffer.from(body), Buffer.alloc(100), Buffer.from(metricsRecord(4).slice(0, 30))]));
    const file = join(dataDir, METRICS);
    utimesSync(file, new Date(), new Date()); // written moments ago: live by the time window
    const { report } = await check(dataDir, { liveWindowMs: 60_000 });
    expect(brief(report.findings)).toEqual([
      ['run/live', `runs/${RUN}`, undefined, undefined, undefined],
      ['jsonl/nul-bytes', METRICS, 5, body.length, 'strip-nul-bytes'],
    ]);
  });
});

describe('JSON documents too large to hold: the streaming verifier', () => {
  const saved = process.env.TRACKIO_FSCK_MAX_DOCUMENT_BYTES;
  afterEach(() => {
    if (saved === undefined) delete process.env.TRACKIO_FSCK_MAX_DOCUMENT_BYTES;
    else process.env.TRACKIO_FSCK_MAX_DOCUMENT_BYTES = saved;
  });
  const CONFIG = `runs/${RUN}/config.json`;

  /** Checks config.json through the streaming verifier; and held in memory, which must find the same. */
  async function checkConfig(bytes: Buffer) {
    const write = (d: string) => {
      const file = join(d, CONFIG);
      writeFileSync(file, bytes);
      utimesSync(file, new Date(0), new Date(0));
    };
    process.env.TRACKIO_FSCK_MAX_DOCUMENT_BYTES = '4096';
    const streamed = await findingsAfter(write);
    delete process.env.TRACKIO_FSCK_MAX_DOCUMENT_BYTES;
    const inMemory = await findingsAfter(write);
    return { ...streamed, inMemory: inMemory.findings };
  }

  /** A document of about `size` bytes (a big logged table) with multi-byte text, so byte and character offsets differ. */
  function bigDoc(size: number): Buffer {
    const row = '{"name": "café ☕", "value": 0.125, "ok": true},\n';
    return Buffer.from('{"table": [' + row.repeat(Math.ceil(size / Buffer.byteLength(row))) + '{"name": "end"}]}\n');
  }

  it('a valid document passes', async () => {
    const { findings, files, inMemory } = await checkConfig(bigDoc(3 << 20));
    expect(findings).toEqual([]);
    expect(inMemory).toEqual([]);
    expect(files.find((f) => f.path === CONFIG)!.size).toBeGreaterThan(3 << 20);
  });

  it('cut short: json/invalid at the byte where the data stops, on the right line', async () => {
    const doc = bigDoc(3 << 20);
    const cut = doc.subarray(0, doc.length - 20);
    const { findings, inMemory } = await checkConfig(cut);
    const lines = cut.toString('latin1').split('\n').length;
    expect(brief(findings)).toEqual([['json/invalid', CONFIG, lines, cut.length, 'quarantine-file']]);
    expect(brief(inMemory)).toEqual(brief(findings));
    expect(findings[0]!.message).toMatch(/^cut short after \d+ bytes/);
  });

  it('bad syntax in the middle: the byte offset, not the character offset', async () => {
    const doc = bigDoc(2 << 20);
    const at = doc.indexOf('"ok": true', 1_500_000);
    doc.write('"ok": tru,', at); // the error is placed where the bad value starts, 6 bytes on
    const { findings } = await checkConfig(doc);
    expect(brief(findings)).toEqual([['json/invalid', CONFIG, doc.subarray(0, at).toString('latin1').split('\n').length, at + 6, 'quarantine-file']]);
    expect(findings[0]!.message).toMatch(/^not valid JSON: /);
  });

  it('invalid UTF-8 where a 1 MiB read ends: encoding/invalid-utf8 at its byte', async () => {
    const doc = bigDoc(3 << 20);
    const at = (1 << 20) - 1; // the last byte of the first chunk readFileOnce reads
    const inString = doc.lastIndexOf('café', at) + 3; // 'é' is two bytes: put its lead just before the chunk boundary
    const bytes = Buffer.concat([doc.subarray(0, at), Buffer.from([0xc3, 0x28]), doc.subarray(at + 2)]);
    expect(inString).toBeLessThan(at);
    const { findings, inMemory } = await checkConfig(bytes);
    expect(brief(findings)).toEqual([['encoding/invalid-utf8', CONFIG, undefined, at, 'quarantine-file']]);
    expect(brief(inMemory)).toEqual(brief(findings));
  });

  it('a multi-byte character torn at the very end', async () => {
    const doc = bigDoc(2 << 20);
    const cut = doc.lastIndexOf(Buffer.from('é')) + 1;
    const { findings, inMemory } = await checkConfig(doc.subarray(0, cut));
    expect(brief(findings)).toEqual([['encoding/invalid-utf8', CONFIG, undefined, cut - 1, 'quarantine-file']]);
    expect(brief(inMemory)).toEqual(brief(findings));
  });
});

describe('the walk', () => {
  it('leftovers of interrupted writes anywhere in a run, by the names writers give them', async () => {
    const names = ['artifacts/model.bin.partial.8f3a', 'artifacts/plot.png.partial', 'summary.json.tmp', 'logs/.train.log.swp'];
    const { findings } = await findingsAfter((d) => {
      for (const name of names) writeFileSync(join(d, 'runs', RUN, name), 'half');
    });
    expect(findings.map((f) => [f.code, f.path])).toEqual(names.sort().map((n) => ['fs/leftover-temp', `runs/${RUN}/${n}`]));
  });

  it('a symlink inside the data dir to a FIFO is reported, never opened', async () => {
    const { findings } = await findingsAfter((d) => {
      moreDamage.fifoInRun(d, RUN, 'logs/stream.pipe');
      moreDamage.symlinkTo(d, RUN, '../logs/stream.pipe', 'artifacts/pipe-link');
    });
    expect(brief(findings)).toEqual([
      ['fs/not-a-file', `runs/${RUN}/artifacts/pipe-link`, undefined, undefined, undefined],
      ['fs/not-a-file', `runs/${RUN}/logs/stream.pipe`, undefined, undefined, undefined],
    ]);
  });

  it('a symlink inside the data dir to a file is followed: read and hashed, no finding', async () => {
    const { findings, files, dataDir } = await findingsAfter((d) => {
      writeRun(d, runId(1));
      moreDamage.symlinkInside(d, RUN, runId(1), 'artifacts/shared.bin');
    });
    expect(findings).toEqual([]);
    const linked = files.find((f) => f.path === `runs/${RUN}/artifacts/shared.bin`)!;
    const target = files.find((f) => f.path === `runs/${runId(1)}/artifacts/model.bin`)!;
    expect(linked.sha256).toBe(target.sha256);
    expect(linked.size).toBe(statSync(join(dataDir, target.path)).size);
    expect(readFileSync(join(dataDir, linked.path)).length).toBe(linked.size);
  });
});
