// Ctrl-C during a writing command (issue 11, "Messages"): SIGINT at each durable point of a repair
// and of an undo in turn. The command stops at the next safe point, says "interrupted" and what
// state the data is in, exits 32; the next `repair -y` finishes the job, or `undo` gives back every byte.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { damage, makeDataDir, runId } from '../../fixtures/build/dataDir.mjs';
import { BIN, ROOT, runCli, tempDir } from '../helpers/cli.js';
import { copyTree, snapshot } from '../helpers/repairTree.js';

const STRIDE = process.env.CI || process.env.TRACKIO_FSCK_FULL_SWEEPS ? 1 : 2;

function damagedTemplate(): string {
  const dataDir = makeDataDir(tempDir(), { runs: 3, steps: 6 });
  damage.truncateMidLine(dataDir, runId(0));
  damage.invalidLineInMiddle(dataDir, runId(1), 2);
  damage.cutJson(dataDir, runId(2), 'config.json', 10);
  return dataDir;
}

function copyOf(dataDir: string): string {
  const dst = join(tempDir(), '.trackio');
  copyTree(dataDir, dst);
  return dst;
}

/** Ctrl-C as the command passes its Nth durable point. */
function interruptAt(args: string[], n: number) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...process.env, NO_COLOR: '1', TRACKIO_DIR: '', TRACKIO_FSCK_FAULT: `step:${n}@int` }, input: '', encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const userView = (d: string) => Object.fromEntries(Object.entries(snapshot(d, (p) => p.startsWith('.trackio-fsck'))).map(([p, v]) => [p.replace(/^quarantine\/[^/]+/, 'quarantine/ID'), p.endsWith('.why.json') ? 'why' : v]));
const originals = (d: string) => snapshot(d, (p) => p.startsWith('.trackio-fsck'));

describe('Ctrl-C during repair -y, at every durable point', () => {
  it('exits 32 saying "interrupted" and the state; repair -y then finishes it, or undo reverts it exactly', () => {
    const template = damagedTemplate();
    const original = originals(template);
    const reference = copyOf(template);
    expect(runCli(['repair', '-y', reference]).code).toBe(1);
    const repaired = userView(reference);
    let interrupted = 0;
    for (let n = 1; n < 80; n += STRIDE) {
      const dataDir = copyOf(template);
      const r = interruptAt(['repair', '-y', dataDir], n);
      if (r.code !== 32) {
        // Past the last point that can stop it: it finished.
        expect(r.code, r.stderr).toBe(1);
        break;
      }
      interrupted++;
      const lines = r.stderr.trim().split('\n');
      expect(lines.at(-1), `point ${n}`).toMatch(/^trackio-fsck: interrupted: (nothing was changed|nothing in the data dir was changed yet|the pre-repair backup is complete|the repair is complete)/);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      if (n % 2 === 1) {
        const resumed = runCli(['repair', '-y', dataDir]);
        expect([0, 1], `resume after point ${n}: ${resumed.stdout}${resumed.stderr}`).toContain(resumed.code);
        expect(userView(dataDir), `resumed after point ${n}`).toEqual(repaired);
      } else {
        const undone = runCli(['undo', dataDir]);
        expect(undone.code, undone.stdout + undone.stderr).toBe(0);
        expect(originals(dataDir), `undo after point ${n}`).toEqual(original);
      }
    }
    expect(interrupted).toBeGreaterThanOrEqual(6);
  }, 300_000);

  it('Ctrl-C during undo: exit 32, and undo run again finishes it', () => {
    const template = damagedTemplate();
    const original = originals(template);
    expect(runCli(['repair', '-y', template]).code).toBe(1);
    let interrupted = 0;
    for (let n = 1; n < 80; n += STRIDE) {
      const dataDir = copyOf(template);
      const r = interruptAt(['undo', dataDir], n);
      if (r.code !== 32) {
        expect(r.code, r.stderr).toBe(0);
        break;
      }
      interrupted++;
      expect(r.stderr.trim().split('\n').at(-1)).toMatch(/^trackio-fsck: interrupted: (nothing was changed|the undo is partly done|the undo is finished)/);
      expect(runCli(['undo', dataDir]).code).toBe(0);
      expect(originals(dataDir), `undo after Ctrl-C at point ${n}`).toEqual(original);
    }
    expect(interrupted).toBeGreaterThanOrEqual(3);
  }, 300_000);
});
