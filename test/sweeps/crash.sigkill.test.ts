import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, statSync } from 'node:fs';
import { isUtf8 } from 'node:buffer';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeDataDir, runId } from '../../fixtures/build/dataDir.mjs';
import { check, type Finding } from '../helpers/engine.js';
import { ROOT, runCli, tempDir } from '../helpers/cli.js';

const WRITER = join(ROOT, 'test', 'helpers', 'tracker_writer.py');
const RUN = runId(0);
const children: ChildProcess[] = [];

afterEach(async () => {
  for (const c of children.splice(0)) {
    if (c.exitCode === null && c.signalCode === null) {
      c.kill('SIGKILL');
      await once(c, 'exit');
    }
  }
});

/** Starts the Python tracker and waits until it says it has written what it was asked to. */
async function startWriter(runDir: string, records: number, then: string, seed = 0): Promise<{ child: ChildProcess; bytes: number }> {
  const child = spawn('python3', [WRITER, runDir, String(records), then, String(seed)], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /^ready (\d+)$/m.exec(out);
      if (m) resolve({ child, bytes: Number(m[1]) });
    });
    child.on('exit', (code) => reject(new Error(`writer exited (${code}) before it was ready: ${err}`)));
  });
}

async function killHard(child: ChildProcess): Promise<void> {
  child.kill('SIGKILL');
  const [, signal] = await once(child, 'exit');
  expect(signal).toBe('SIGKILL');
}

/**
 * What the scan must report for a metrics.jsonl a killed writer left, read off the bytes: the
 * bare-NaN warning for each complete line that has one, and for the bytes after the last '\n' a
 * truncated tail, or a missing final newline when they are a whole record.
 */
function expectedFor(bytes: Buffer): Array<[string, number?, number?]> {
  const out: Array<[string, number?, number?]> = [];
  const lastNl = bytes.lastIndexOf(10);
  let offset = 0;
  const complete = bytes.subarray(0, lastNl + 1).toString('utf8').split('\n').slice(0, -1);
  complete.forEach((line, i) => {
    if (line.includes('NaN')) out.push(['jsonl/nonfinite-number', i + 1, offset]);
    offset += Buffer.byteLength(line) + 1;
  });
  const tail = bytes.subarray(lastNl + 1);
  if (tail.length > 0) {
    let whole = false;
    try {
      whole = isUtf8(tail) && typeof JSON.parse(tail.toString('utf8').replace(/\bNaN\b/g, 'null')) === 'object';
    } catch {
      // a cut record
    }
    const at: [number, number] = [complete.length + 1, lastNl + 1];
    if (whole) {
      out.push(['jsonl/missing-final-newline', ...at]);
      if (tail.includes('NaN')) out.push(['jsonl/nonfinite-number', ...at]);
    } else {
      out.push(['jsonl/truncated-tail', ...at]);
    }
  }
  return out;
}

const brief = (fs: Finding[]) => fs.map((f) => (f.line === undefined ? [f.code] : [f.code, f.line, f.offset]));

async function checkAfterKill(dataDir: string) {
  const { report, runs } = await check(dataDir, { liveWindowMs: 0 });
  return { report, runs, path: `runs/${RUN}/metrics.jsonl` };
}

describe('a tracker killed with SIGKILL mid-run', () => {
  const landings = [
    { then: 'half', what: 'in the middle of a record' },
    { then: 'torn', what: 'inside a multi-byte UTF-8 character' },
    { then: 'newline', what: 'just before the newline of a record' },
    { then: 'between', what: 'between two records' },
  ];
  for (const { then, what } of landings) {
    it(`the check reports what a kill ${what} left, and nothing more`, async () => {
      const dataDir = makeDataDir(tempDir(), { runs: 0 });
      const runDir = join(dataDir, 'runs', RUN);
      const { child, bytes } = await startWriter(runDir, 6, then);
      await killHard(child);
      const file = readFileSync(join(runDir, 'metrics.jsonl'));
      expect(file.length).toBe(bytes); // every flushed byte survived the kill
      const { report, path } = await checkAfterKill(dataDir);
      const expected = [['run/unfinished'], ...expectedFor(file)];
      expect(brief(report.findings)).toEqual(expected);
      // the same through the built CLI, as a person would run it after the crash
      const cli = runCli(['check', dataDir, '--live-window', '0', '--json']);
      expect(brief(JSON.parse(cli.stdout).findings)).toEqual(expected);
      expect(cli.code).toBe(report.exitCode);
      const lastLineStart = file.lastIndexOf(10, file.length - 2) + 1;
      if (then === 'between') {
        expect(report.findings.filter((f) => f.severity === 'error')).toEqual([]);
        expect(report.exitCode).toBe(0);
      } else {
        const code = then === 'newline' ? 'jsonl/missing-final-newline' : 'jsonl/truncated-tail';
        const offset = then === 'newline' ? lastLineStart : file.lastIndexOf(10) + 1;
        expect(report.findings).toContainEqual(expect.objectContaining({ code, run: RUN, path, line: 7, offset }));
        expect(report.exitCode).toBe(then === 'newline' ? 0 : 4);
      }
    });
  }

  it('whenever the kill lands, the check reports exactly what the bytes show', async () => {
    for (let seed = 1; seed <= 6; seed++) {
      const dataDir = makeDataDir(tempDir(), { runs: 0 });
      const runDir = join(dataDir, 'runs', RUN);
      const { child } = await startWriter(runDir, 3, 'free', seed);
      await new Promise((r) => setTimeout(r, seed * 7)); // let it append for a while; where the kill lands is up to the scheduler
      await killHard(child);
      const file = readFileSync(join(runDir, 'metrics.jsonl'));
      expect(file.length).toBeGreaterThan(0);
      const { report, path } = await checkAfterKill(dataDir);
      expect(brief(report.findings), `seed ${seed}, ${file.length} bytes`).toEqual([['run/unfinished'], ...expectedFor(file)]);
    }
  });

  it('while the writer is alive and holds metrics.jsonl open, the run is live and its unfinished tail is not damage', async () => {
    const dataDir = makeDataDir(tempDir(), { runs: 1 }); // a finished run beside it stays as it was
    const live = runId(1);
    const runDir = join(dataDir, 'runs', live);
    const { child, bytes } = await startWriter(runDir, 6, 'half');
    expect(statSync(join(runDir, 'metrics.jsonl')).size).toBe(bytes);

    // liveWindowMs 0: only /proc/<pid>/fd can tell that the run is being written
    const during = await check(dataDir, { liveWindowMs: 0 });
    const file = readFileSync(join(runDir, 'metrics.jsonl'));
    const nanLine = expectedFor(file).filter(([code]) => code === 'jsonl/nonfinite-number');
    expect(brief(during.report.findings)).toEqual([['run/live'], ...nanLine]);
    expect(during.report.findings[0]).toMatchObject({ code: 'run/live', severity: 'info', run: live, path: `runs/${live}` });
    expect(during.runs).toEqual([
      { run: RUN, live: false },
      { run: live, live: true, liveWhy: expect.stringContaining('open for writing') },
    ]);
    expect(during.report.exitCode).toBe(0);
    const cli = runCli(['check', dataDir, '--live-window', '0']);
    expect(cli.code).toBe(0);
    expect(cli.stdout).toMatch(new RegExp(`runs/${live}\\n  info +run/live  \\(run\\)\\n +run is being written right now \\(another process has [^)]* open for writing\\)`));
    expect(cli.stdout).not.toContain('truncated');

    await killHard(child);
    const after = await check(dataDir, { liveWindowMs: 0 });
    expect(brief(after.report.findings)).toEqual([['run/unfinished'], ...nanLine, ['jsonl/truncated-tail', 7, file.lastIndexOf(10) + 1]]);
    expect(after.report.exitCode).toBe(4);
  });
});
