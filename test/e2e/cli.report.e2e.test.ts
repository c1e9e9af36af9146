import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { damage, makeDataDir, moreDamage, runId } from '../../fixtures/build/dataDir.mjs';
import { BIN, ROOT, runCli, tempDir, type CliResult } from '../helpers/cli.js';
import { validators } from '../helpers/engine.js';

interface JsonFinding {
  code: string;
  severity: string;
  run: string | null;
  path: string;
  line?: number;
  offset?: number;
  message: string;
  more?: number;
  fix?: { action: string; safe: boolean };
}

const ANSI = /\x1b\[[0-9;]*m/;

/** Spawns the built CLI with a deadline: a check that blocks on a FIFO must fail the test, not hang it. */
function runCliWithin(args: string[], env: NodeJS.ProcessEnv = {}): CliResult {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '', TRACKIO_DIR: '', ...env },
    input: '',
    encoding: 'utf8',
    timeout: 30_000,
    killSignal: 'SIGKILL',
  });
  expect(r.signal, 'the check hung and was killed').toBeNull();
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Runs the CLI and parses its --json report, which must match schemas/report.schema.json. */
function jsonReport(args: string[], env?: NodeJS.ProcessEnv) {
  const r = runCliWithin([...args, '--json'], env);
  const report = JSON.parse(r.stdout) as { exitCode: number; summary: Record<string, number>; findings: JsonFinding[]; dataDir: string };
  expect(validators.report!(report), JSON.stringify(validators.report!.errors)).toBe(true);
  expect(report.exitCode).toBe(r.code);
  return { ...r, report };
}

const codes = (fs: JsonFinding[]) => fs.map((f) => f.code);

describe('--json: the report against its schema, for many kinds of damage at once', () => {
  it('every finding is where the damage is, with a relative path and the line and offset the issue asks for', () => {
    const dataDir = makeDataDir(tempDir(), { runs: 8, steps: 8 });
    const r = (i: number) => runId(i);
    const expected = [
      damage.truncateMidLine(dataDir, r(0)),
      damage.appendNulTail(dataDir, r(1)),
      damage.invalidLineInMiddle(dataDir, r(2), 3),
      damage.schemaViolation(dataDir, r(2), 5),
      damage.invalidUtf8Line(dataDir, r(3), 2),
      damage.stepBackwards(dataDir, r(3), 6),
      damage.cutJson(dataDir, r(4), 'config.json', 10),
      damage.emptyJson(dataDir, r(4), 'summary.json'),
      damage.leftoverTemp(dataDir, r(5)),
      damage.symlinkEscape(dataDir, r(5)),
      damage.missingFile(dataDir, r(6), 'config.json'),
      moreDamage.nulRunInMiddle(dataDir, r(7), 4, 9),
      moreDamage.strayFileInRuns(dataDir),
    ];
    const { code, report } = jsonReport(['check', dataDir, '--live-window', '0']);
    expect(code).toBe(4);
    const notInfo = report.findings.filter((f) => f.severity !== 'info');
    expect(notInfo).toHaveLength(expected.length);
    for (const e of expected) {
      const f = notInfo.find((x) => x.code === e.code && x.path === e.path);
      expect(f, `${e.code} at ${e.path}`).toBeDefined();
      if (e.line !== undefined) expect(f!.line, e.code).toBe(e.line);
      if (e.offset !== undefined) expect(f!.offset, e.code).toBe(e.offset);
    }
    for (const f of report.findings) {
      expect(f.path).not.toMatch(/^\/|\\|(^|\/)\.\.(\/|$)|\/\/|\/$/);
      if (f.code !== 'run/missing-file') expect(() => lstatSync(join(dataDir, f.path)), f.path).not.toThrow();
      if (f.run !== null) expect(f.path === `runs/${f.run}` || f.path.startsWith(`runs/${f.run}/`)).toBe(true);
      // The issue: every metrics.jsonl finding carries its line number and byte offset.
      if (f.path.endsWith('.jsonl')) {
        expect(f.line, f.code).toBeGreaterThanOrEqual(1);
        expect(f.offset, f.code).toBeGreaterThanOrEqual(0);
      }
      if (f.code === 'json/invalid') expect(f.offset, f.path).toBeGreaterThanOrEqual(0);
    }
    expect(report.summary).toMatchObject({ runs: 8, errors: 9, warnings: 4 });
    expect(report.dataDir).toBe(dataDir);
  });

  it('a JSON document with bare NaN is a warning: exit 0', () => {
    const dataDir = makeDataDir(tempDir(), { runs: 1 });
    const e = moreDamage.bareNaNJson(dataDir, runId(0));
    const { code, report } = jsonReport(['check', dataDir]);
    expect(code).toBe(0);
    expect(report.findings).toMatchObject([{ code: e.code, severity: 'warning', path: e.path }]);
  });

  it('100 bad lines in one file: findings capped per code, the rest counted in `more`', () => {
    const dataDir = makeDataDir(tempDir(), { runs: 1, steps: 5 });
    const e = moreDamage.manyInvalidLines(dataDir, runId(0), 100);
    const { code, report } = jsonReport(['check', dataDir]);
    expect(code).toBe(4);
    const listed = report.findings.filter((f) => f.code === 'jsonl/invalid-line');
    expect(listed.map((f) => f.line)).toEqual(Array.from({ length: 20 }, (_, i) => e.line + i));
    expect(listed.slice(0, -1).every((f) => f.more === undefined)).toBe(true);
    expect(listed.at(-1)!.more).toBe(80);
    expect(report.summary.errors).toBe(100);
    const text = runCli(['check', dataDir]);
    expect(text.stdout).toContain('(and 80 more like it in this file, not listed)');
    expect(text.stdout).toMatch(/: 100 errors, 0 warnings/);
  });

  it('a 0-byte metrics.jsonl is a run that logged nothing: exit 0, no finding', () => {
    const dataDir = makeDataDir(tempDir(), { runs: 1 });
    moreDamage.emptyMetrics(dataDir, runId(0));
    const { code, report } = jsonReport(['check', dataDir]);
    expect(code).toBe(0);
    expect(report.findings).toEqual([]);
  });

  it('a stray file in runs/ is a warning about the data dir, not a run', () => {
    const dataDir = makeDataDir(tempDir(), { runs: 2 });
    const e = moreDamage.strayFileInRuns(dataDir, 'notes.txt');
    const { code, report } = jsonReport(['check', dataDir]);
    expect(code).toBe(0);
    expect(report.findings).toMatchObject([{ code: e.code, severity: 'warning', run: null, path: e.path }]);
    expect(report.summary.runs).toBe(2);
    expect(jsonReport(['check', dataDir, '--strict']).code).toBe(4);
  });
});

describe('--run, --strict', () => {
  it('--run is repeatable and limits the scan to those runs', () => {
    const dataDir = makeDataDir(tempDir(), { runs: 4 });
    damage.cutJson(dataDir, runId(1));
    const e = damage.truncateMidLine(dataDir, runId(3));
    const { code, report } = jsonReport(['check', dataDir, '--run', runId(0), '--run', runId(3)]);
    expect(code).toBe(4);
    expect(report.summary.runs).toBe(2);
    expect(report.findings).toMatchObject([{ code: e.code, run: runId(3), path: e.path, line: e.line, offset: e.offset }]);
    expect(jsonReport(['check', dataDir, '--run', runId(0), '--run', runId(2)]).code).toBe(0);
  });

  it('--run naming no run: exit 8, naming it', () => {
    const dataDir = makeDataDir(tempDir(), { runs: 1 });
    const r = runCli(['check', dataDir, '--run', 'no-such-run']);
    expect(r.code).toBe(8);
    expect(r.stderr).toContain('no-such-run');
  });

  it('--strict makes warnings count', () => {
    const dataDir = makeDataDir(tempDir(), { runs: 1 });
    damage.removeFinalNewline(dataDir, runId(0));
    expect(runCli(['check', dataDir]).code).toBe(0);
    const strict = jsonReport(['check', dataDir, '--strict']);
    expect(strict.code).toBe(4);
    expect(codes(strict.report.findings)).toEqual(['jsonl/missing-final-newline']);
  });
});

describe('colour', () => {
  function damaged(): string {
    const dataDir = makeDataDir(tempDir(), { runs: 1 });
    damage.truncateMidLine(dataDir, runId(0));
    return dataDir;
  }

  it('off for NO_COLOR, --no-color and a pipe; on for FORCE_COLOR', () => {
    const dataDir = damaged();
    const unset = { NO_COLOR: undefined, FORCE_COLOR: undefined };
    expect(runCli(['check', dataDir], { env: { NO_COLOR: '1' } }).stdout).not.toMatch(ANSI);
    expect(runCli(['check', dataDir], { env: unset }).stdout).not.toMatch(ANSI); // stdout is a pipe
    expect(runCli(['check', dataDir, '--no-color'], { env: { NO_COLOR: undefined, FORCE_COLOR: '1' } }).stdout).not.toMatch(ANSI);
    const forced = runCli(['check', dataDir], { env: { NO_COLOR: undefined, FORCE_COLOR: '1' } });
    expect(forced.code).toBe(4);
    expect(forced.stdout).toMatch(ANSI);
    // the same text underneath, only coloured (the duration may differ)
    const plain = (t: string) => t.replace(/\x1b\[[0-9;]*m/g, '').replace(/ in [\d.]+ s:/, ' in T s:');
    expect(plain(forced.stdout)).toBe(plain(runCli(['check', dataDir]).stdout));
    // --json is for programs: never coloured
    expect(runCli(['check', dataDir, '--json'], { env: { NO_COLOR: undefined, FORCE_COLOR: '1' } }).stdout).not.toMatch(/\x1b/);
  });

  it('on at a terminal, unless NO_COLOR or --no-color', () => {
    const dataDir = damaged();
    const inPty = (args: string[], env: NodeJS.ProcessEnv) =>
      spawnSync('python3', [join(ROOT, 'test', 'helpers', 'run_in_pty.py'), process.execPath, BIN, ...args], {
        env: { ...process.env, NO_COLOR: undefined, FORCE_COLOR: undefined, ...env },
        encoding: 'utf8',
        timeout: 30_000,
      });
    const tty = inPty(['check', dataDir], {});
    expect(tty.status).toBe(4);
    expect(tty.stdout).toContain('jsonl/truncated-tail');
    expect(tty.stdout).toMatch(ANSI);
    expect(inPty(['check', dataDir], { NO_COLOR: '1' }).stdout).not.toMatch(ANSI);
    expect(inPty(['check', dataDir, '--no-color'], {}).stdout).not.toMatch(ANSI);
  });
});

describe('things in a data dir that must not be read', () => {
  it('a symlink inside the data dir is followed for reading, with no finding', () => {
    const dataDir = makeDataDir(tempDir(), { runs: 2 });
    moreDamage.symlinkInside(dataDir, runId(0), runId(1));
    const { code, report } = jsonReport(['check', dataDir]);
    expect(code).toBe(0);
    expect(report.findings).toEqual([]);
    expect(report.summary.files).toBe(11);
  });

  it('a symlink leading outside is fs/symlink-escape and never read, even when it leads to a FIFO', () => {
    const root = tempDir();
    const dataDir = makeDataDir(root, { runs: 1 });
    const outside = join(root, 'outside');
    mkdirSync(outside);
    spawnSync('mkfifo', [join(outside, 'pipe')]);
    const file = damage.symlinkEscape(dataDir, runId(0), join(outside, 'pipe'), 'artifacts/escape');
    const dir = damage.symlinkEscape(dataDir, runId(0), outside, 'logs/elsewhere');
    const { code, report } = jsonReport(['check', dataDir]);
    expect(code).toBe(4);
    expect(report.findings.map((f) => [f.code, f.path])).toEqual([
      ['fs/symlink-escape', file.path],
      ['fs/symlink-escape', dir.path],
    ]);
    expect(report.summary.files).toBe(5);
  });

  it('a run directory that is a symlink outside the data dir is not followed', () => {
    const root = tempDir();
    const dataDir = makeDataDir(root, { runs: 1 });
    const elsewhere = makeDataDir(join(root, 'other'), { runs: 1 });
    spawnSync('ln', ['-s', join(elsewhere, 'runs', runId(0)), join(dataDir, 'runs', 'borrowed')]);
    const { code, report } = jsonReport(['check', dataDir]);
    expect(code).toBe(4);
    expect(report.findings).toMatchObject([{ code: 'fs/symlink-escape', run: 'borrowed', path: 'runs/borrowed' }]);
    expect(report.summary.runs).toBe(1);
  });

  it('a FIFO in a run, or in runs/, does not make the check hang', () => {
    const dataDir = makeDataDir(tempDir(), { runs: 1 });
    const e = moreDamage.fifoInRun(dataDir, runId(0), 'logs/stream.pipe');
    spawnSync('mkfifo', [join(dataDir, 'runs', 'control.pipe')]);
    expect(existsSync(join(dataDir, 'runs', 'control.pipe'))).toBe(true);
    const { code, report } = jsonReport(['check', dataDir]);
    expect(code).toBe(4);
    expect(report.findings.map((f) => [f.code, f.path])).toEqual([
      ['fs/not-a-run', 'runs/control.pipe'],
      [e.code, e.path],
    ]);
  });
});

describe('a JSON document larger than the in-memory limit (64 MiB)', () => {
  it('cut short: found by the streaming verifier, at the byte where the data stops', () => {
    const dataDir = makeDataDir(tempDir(), { runs: 1 });
    const e = moreDamage.bigJsonCutShort(dataDir, runId(0), 65 * 1024 * 1024);
    expect(e.size).toBeGreaterThan(64 * 1024 * 1024);
    const { code, report } = jsonReport(['check', dataDir]);
    expect(code).toBe(4);
    expect(report.findings).toMatchObject([{ code: 'json/invalid', path: e.path, line: e.line, offset: e.offset }]);
    expect(report.findings[0]!.message).toMatch(/^cut short after \d+ bytes/);
  });
});
