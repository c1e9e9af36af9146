// Every snapshot copy is read back and hashed before the snapshot can be complete: a copy damaged
// after it was written and before it was read back (the instant `backup-copy-written`) fails the
// backup, whichever thread copied it (the calling thread, or the copy thread for large files:
// there the instant is `backup-copy-written-on-thread`).
import { appendFileSync, existsSync, mkdirSync, readdirSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { flipBit, makeDataDir, runId } from '../../fixtures/build/dataDir.mjs';
import { tempDir } from '../helpers/cli.js';
import { runUntilPoint } from '../helpers/pausedRun.js';
import { snapshot } from '../helpers/repairTree.js';

/** Ways a copy can come back different from what was written: each applied to every copy made so far. */
const DAMAGE: Array<[string, (file: string) => void]> = [
  ['a bit flipped', (f) => flipBit(f, Math.floor(statSync(f).size / 2), 3)],
  ['cut short by a byte', (f) => truncateSync(f, statSync(f).size - 1)],
  ['a byte longer', (f) => appendFileSync(f, 'x')],
];

/** Data dirs whose copies are made on one thread or the other. */
const DATA: Array<[string, string, NodeJS.ProcessEnv, (root: string) => string]> = [
  ['small files, on the calling thread', 'backup-copy-written', { TRACKIO_FSCK_BACKUP_THREAD: '0' }, (root) => makeDataDir(root, { runs: 2, steps: 20 })],
  // Two large files and nothing else: both go to the copy thread at once, the calling thread copies none.
  [
    'large files, on the copy thread',
    'backup-copy-written-on-thread',
    { TRACKIO_FSCK_BACKUP_THREAD: '1' },
    (root) => {
      const dataDir = join(root, '.trackio');
      for (const i of [0, 1]) {
        mkdirSync(join(dataDir, 'runs', runId(i), 'artifacts'), { recursive: true });
        writeFileSync(join(dataDir, 'runs', runId(i), 'artifacts', 'checkpoint.pt'), randomBytes(2 * 1024 * 1024 + i));
      }
      return dataDir;
    },
  ],
];

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

describe('a copy damaged between its write and its read-back', () => {
  for (const [where, point, env, make] of DATA) {
    it.each(DAMAGE)(`${where}: %s fails the backup, and no snapshot is left`, async (_what, damage) => {
      const root = tempDir();
      const dataDir = make(root);
      const dest = join(root, 'backups');
      // The data as a user sees it (the tool's own lock folder left out: the backup holds its lock there).
      const users = () => snapshot(dataDir, (p) => p.startsWith('.trackio-fsck'));
      const before = users();
      const paused = await runUntilPoint(['backup', dataDir, '--dest', dest], point, env);
      expect(paused.stopped, 'the backup reached the point').toBe(true);
      const building = readdirSync(dest).filter((n) => n.startsWith('.incomplete-'));
      expect(building).toHaveLength(1);
      const copies = filesUnder(join(dest, building[0]!)).filter((f) => statSync(f).size > 0);
      expect(copies.length).toBeGreaterThan(0);
      for (const f of copies) damage(f);
      const done = await paused.resume();
      expect(done.code, done.stderr).toBe(8);
      expect(done.stderr).toMatch(/^trackio-fsck: backup failed on \S+: verification failed: the copy of \S+ read back different bytes; no snapshot was made, the data dir is unchanged$/m);
      expect(readdirSync(dest), 'no snapshot, complete or half-built').toEqual([]);
      expect(users()).toEqual(before);
    });
  }

  it('undamaged, the same runs make a snapshot (the point only pauses)', async () => {
    for (const [where, point, env, make] of DATA) {
      const root = tempDir();
      const dataDir = make(root);
      const dest = join(root, 'backups');
      const paused = await runUntilPoint(['backup', dataDir, '--dest', dest], point, env);
      expect(paused.stopped, where).toBe(true);
      const done = await paused.resume();
      expect(done.code, `${where}: ${done.stderr}`).toBe(0);
      expect(readdirSync(dest).filter((n) => n.startsWith('trackio_backup_')), where).toHaveLength(1);
      expect(existsSync(join(dest, readdirSync(dest)[0]!, 'manifest-sha256.txt')), where).toBe(true);
    }
  });
});
