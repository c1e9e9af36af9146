import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeDataDir, runId } from '../../fixtures/build/dataDir.mjs';
import { ROOT, runCli, tempDir } from '../helpers/cli.js';

// Start-up cost is what a command loads before it works (docs/benchmarks.md, start-up): bin/ runs
// the CLI bundled by scripts/bundle-cli.mjs, whose start-up path is one file. NODE_DEBUG=module
// makes Node's CommonJS loader name every file it loads (bin and the bundle are CommonJS).
function loadedFiles(args: string[], cwd?: string): { code: number; files: string[] } {
  const r = runCli(args, { cwd, env: { NODE_DEBUG: 'module' } });
  const files = [...r.stderr.matchAll(/^MODULE [^:]+: load "([^"]+)" for module/gm)].map((m) => m[1]!);
  return { code: r.code, files: [...new Set(files)].map((f) => (f.startsWith(ROOT) ? f.slice(ROOT.length + 1) : f)) };
}

/** What only help, the SQLite layout, schema validation or JSON streaming need. */
const NOT_AT_START_UP = /node_modules\/(yargs|better-sqlite3|ajv|ajv-formats|hyparquet|stream-json|stream-chain|chalk|yargs-parser)\/|^dist\/(cli|engine)\//;

describe('start-up: what a command loads before it works', () => {
  it('check of an empty data dir loads bin, the bundle\'s start-up file, its runtime and package.json: no dependency, no tsc module', () => {
    const dir = join(tempDir(), '.trackio');
    mkdirSync(join(dir, 'runs'), { recursive: true });
    const { code, files } = loadedFiles(['check', dir, '--live-window', '0']);
    expect(code).toBe(0);
    expect(files).toContain('dist/bundle/cli.cjs');
    expect(files.filter((f) => NOT_AT_START_UP.test(f))).toEqual([]);
    expect(files.length).toBeLessThanOrEqual(4);
  });

  it('check of an empty data dir loads none of the built-in modules only large or hashing checks need', () => {
    // Built-in modules are not files: a preloaded script lists what Node loaded, as the process exits.
    const dir = join(tempDir(), '.trackio');
    mkdirSync(join(dir, 'runs'), { recursive: true });
    const list = join(tempDir(), 'loaded.txt');
    const preload = join(tempDir(), 'list.cjs');
    writeFileSync(preload, `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(list)}, process.moduleLoadList.join('\\n')));`);
    const r = runCli(['check', dir, '--live-window', '0'], { env: { NODE_OPTIONS: `--require ${preload}` } });
    expect(r.code).toBe(0);
    const loaded = readFileSync(list, 'utf8').split('\n');
    expect(loaded).toContain('NativeModule fs'); // the list is real
    // node:v8 (heapPolicy, from 20 000 runs), perf_hooks (the `performance` global) and node:crypto
    // (a manifest's digest; there is none) cost ~40 modules.
    expect(loaded.filter((m) => /^NativeModule (v8|perf_hooks|crypto)$/.test(m))).toEqual([]);
  });

  it('--version loads nothing but bin and package.json', () => {
    const { code, files } = loadedFiles(['--version']);
    expect(code).toBe(0);
    expect(files.filter((f) => f !== 'bin/trackio-fsck.js' && f !== 'package.json')).toEqual([]);
  });

  it('the hook on a staged run loads no help machinery (yargs) and no SQLite', () => {
    const repo = tempDir();
    makeDataDir(repo, { runs: 3 });
    const staged = `.trackio/runs/${runId(1)}/metrics.jsonl`;
    const { code, files } = loadedFiles(['hook', 'run', staged], repo);
    expect(code).toBe(0);
    expect(files.some((f) => /^dist\/bundle\/hook-/.test(f))).toBe(true);
    expect(files.filter((f) => /node_modules\/(yargs|better-sqlite3)\//.test(f))).toEqual([]);
  });

  it('every file the bundle finds by path at run time (workers, validators, package.json) exists', () => {
    // scripts/bundle-cli.mjs turns each source file's import.meta.url into its tsc twin's URL;
    // a path that points nowhere would fail only when that worker or file is first needed.
    const bundle = join(ROOT, 'dist', 'bundle');
    const targets = new Set<string>();
    for (const chunk of readdirSync(bundle).filter((f) => f.endsWith('.cjs'))) {
      const text = readFileSync(join(bundle, chunk), 'utf8');
      for (const m of text.matchAll(/__trackioFsckUrlOf\("([^"]+)"\)/g)) targets.add(resolve(bundle, m[1]!));
    }
    // The worker scripts' owners, the validators' loader, version.ts: a sweep, not one file.
    expect(targets.size).toBeGreaterThanOrEqual(4);
    for (const target of targets) expect(existsSync(target), target).toBe(true);
    for (const worker of ['jsonlSegmentWorker.js', 'copyThreadWorker.js']) {
      expect([...targets].some((t) => existsSync(join(t, '..', worker))), worker).toBe(true);
    }
  });
});
