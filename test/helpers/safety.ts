import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { BIN, ROOT, type CliResult } from './cli.js';

/**
 * Runs the built CLI with a hard time limit: a command that blocks (a FIFO opened for reading) or
 * reads without end (/dev/zero) fails the test in seconds instead of hanging it. `timedOut` says so.
 */
export function runCliTimed(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): CliResult & { timedOut: boolean } {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: opts.cwd ?? ROOT,
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '', TRACKIO_DIR: '', ...opts.env },
    input: '',
    encoding: 'utf8',
    timeout: opts.timeoutMs ?? 15_000,
    killSignal: 'SIGKILL',
    maxBuffer: 16 * 1024 * 1024,
  });
  const timedOut = (r.error as NodeJS.ErrnoException | undefined)?.code === 'ETIMEDOUT' || r.signal === 'SIGKILL';
  return { code: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? '', timedOut };
}

/** Starts the CLI in the background, held at fault point `point` (TRACKIO_FSCK_PAUSE) until `release()`. */
export async function startPaused(args: string[], point: string, pauseFile: string, opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: opts.cwd ?? ROOT,
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '', TRACKIO_DIR: '', ...opts.env, TRACKIO_FSCK_PAUSE: point, TRACKIO_FSCK_PAUSE_FILE: pauseFile },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const done = new Promise<CliResult>((resolve) => child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr })));
  const deadline = Date.now() + 20_000;
  while (!existsSync(pauseFile)) {
    if (Date.now() > deadline || child.exitCode !== null) {
      child.kill('SIGKILL');
      throw new Error(`never reached ${point}: ${stderr}${stdout}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  return { done, pid: child.pid! };
}

/** No stack trace, whatever went wrong. */
export function noStack(r: CliResult): boolean {
  return !/\n\s+at .+\(.*:\d+:\d+\)/.test(r.stderr + r.stdout);
}

/** runCliTimed without blocking: several commands of a sweep run at once. */
export function runCliTimedAsync(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<CliResult & { timedOut: boolean }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: opts.cwd ?? ROOT,
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '', TRACKIO_DIR: '', ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, opts.timeoutMs ?? 15_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr, timedOut });
    });
  });
}
