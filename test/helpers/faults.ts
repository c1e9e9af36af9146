import { spawnSync } from 'node:child_process';
import { expect } from 'vitest';
import { BIN, ROOT } from './cli.js';

/** Runs the built CLI with TRACKIO_FSCK_FAULT=step:N: it SIGKILLs itself at its Nth durable point. */
export function runWithFault(args: string[], n: number) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    env: { ...process.env, NO_COLOR: '1', TRACKIO_DIR: '', TRACKIO_FSCK_FAULT: `step:${n}` },
    input: '',
    encoding: 'utf8',
  });
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

/**
 * Kills a command at its 1st, 2nd, ... durable point, each time on a fresh copy of the data
 * (`fresh()`), until it runs to the end and exits `doneCode`; `afterKill(dataDir, n)` inspects what
 * each kill left. Returns how many points there were (at most that many when sampling).
 */
export async function killAtEveryPoint(
  fresh: () => string,
  args: (dataDir: string) => string[],
  doneCode: number,
  afterKill: (dataDir: string, n: number) => void | Promise<void>,
  max = 100,
): Promise<number> {
  // Every point in CI (and with TRACKIO_FSCK_FULL_SWEEPS=1); locally every third one, so `npm test` stays quick.
  const stride = process.env.CI || process.env.TRACKIO_FSCK_FULL_SWEEPS ? 1 : 3;
  for (let n = 1; n < max; n += stride) {
    const dataDir = fresh();
    const r = runWithFault(args(dataDir), n);
    if (r.signal === null) {
      expect(r.code, r.stderr).toBe(doneCode);
      return n - 1;
    }
    expect(r.signal).toBe('SIGKILL');
    await afterKill(dataDir, n);
  }
  throw new Error(`still being killed after ${max} points`);
}
