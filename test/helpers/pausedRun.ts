import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { BIN, ROOT } from './cli.js';

export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface PausedRun {
  /** True when the command stopped at the fault point; false when it ran to the end first. */
  stopped: boolean;
  pid: number;
  /** SIGCONT (after the test acted), then the command's end. */
  resume(): Promise<Finished>;
}

function stateOf(pid: number): string | undefined {
  try {
    // "pid (comm) S ...": the state follows the last ')'.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  } catch {
    return undefined;
  }
}

/**
 * Runs the built CLI with TRACKIO_FSCK_FAULT=<fault>@stop: it SIGSTOPs itself at that durable point,
 * and this resolves once it is stopped (or has exited), so the test can act at that very instant.
 */
export async function runUntilPoint(args: string[], fault: string, env: NodeJS.ProcessEnv = {}): Promise<PausedRun> {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    env: { ...process.env, NO_COLOR: '1', TRACKIO_DIR: '', TRACKIO_FSCK_FAULT: `${fault}@stop`, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const done = new Promise<Finished>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  let exited = false;
  void done.then(() => (exited = true));
  for (;;) {
    if (exited) break;
    if (stateOf(child.pid!) === 'T') break;
    await new Promise((r) => setTimeout(r, 10));
  }
  return {
    stopped: !exited,
    pid: child.pid!,
    resume: async () => {
      if (!exited) process.kill(child.pid!, 'SIGCONT');
      return done;
    },
  };
}
