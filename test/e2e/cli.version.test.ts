import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, runCli } from '../helpers/cli.js';

// --version has a fast path in bin/ that skips yargs; it must say what yargs says.
describe('trackio-fsck --version', () => {
  it('prints the package version and exits 0', () => {
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    const r = runCli(['--version']);
    expect(r).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
  });

  it('with other arguments goes through the full CLI, same answer', () => {
    const fast = runCli(['--version']);
    const full = runCli(['--version', '--no-color']);
    expect(full.code).toBe(0);
    expect(full.stdout).toBe(fast.stdout);
  });
});
