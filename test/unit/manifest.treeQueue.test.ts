// TreeQueue walks run directories on worker threads and the calling thread from one shared queue:
// every directory comes back exactly once, with the entries a walk on the calling thread finds,
// whichever thread walked it and however the threads' shares fell.
import { chmodSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHUNK_BYTES } from '../../src/engine/fs/readFileOnce.js';
import { hashTreesBatch, type TreeEntry } from '../../src/engine/fs/hashFilesBatch.js';
import { TreeQueue, treeWorkersFor } from '../../src/engine/fs/TreeQueue.js';
import { moreDamage } from '../../fixtures/build/dataDir.mjs';
import { tempDir } from '../helpers/cli.js';

/** Directories of every kind of entry a walk meets: sizes around the buffer, links, a FIFO, an unreadable file, odd names, nesting, an empty one. */
function makeDirs(n: number): string[] {
  const root = tempDir();
  const dirs: string[] = [];
  for (let i = 0; i < n; i++) {
    const d = join(root, `d${i}`);
    mkdirSync(join(d, 'sub', 'deeper'), { recursive: true });
    writeFileSync(join(d, 'a.txt'), `file ${i}`);
    writeFileSync(join(d, 'sub', 'deeper', 'b.bin'), Buffer.alloc(i % 7 === 0 ? CHUNK_BYTES + 1 : i * 13, i));
    if (i % 5 === 0) symlinkSync(join(d, 'a.txt'), join(d, 'link'));
    if (i % 11 === 0) moreDamage.fifoInRun(root, `d${i}`, 'pipe');
    if (i % 13 === 0) {
      writeFileSync(join(d, 'locked'), 'x');
      chmodSync(join(d, 'locked'), 0o000);
    }
    if (i % 17 === 0) writeFileSync(join(d, `line\nbreak é ${i}`), 'odd');
    if (i % 19 === 0) writeFileSync(Buffer.from(join(d, 'bad-\xff'), 'latin1'), 'not UTF-8');
    if (i % 23 === 0) mkdirSync(join(d, 'empty'));
    dirs.push(d);
  }
  dirs.push(join(root, 'gone')); // listed once, gone since: nothing in it
  return dirs;
}

describe('TreeQueue', () => {
  it('hands every directory back once, as the calling thread walks it, with 0, 1 and 2 workers taking a share', async () => {
    const dirs = makeDirs(120);
    const buf = Buffer.allocUnsafe(CHUNK_BYTES);
    const expected = dirs.map((d) => hashTreesBatch([d], buf)[0]!);
    // The stat of a file read twice is the same; a FIFO's or link's entry has no outcome.
    const shape = (entries: TreeEntry[]) => entries.map((e) => ({ ...e, outcome: e.outcome && { ...e.outcome } }));
    for (const workers of [0, 1, 2]) {
      const seen = new Map<number, TreeEntry[]>();
      const queue = new TreeQueue(dirs, workers);
      try {
        await queue.run((i, entries) => {
          expect(seen.has(i), `directory ${i} twice`).toBe(false);
          seen.set(i, entries);
          // The calling thread holds back after its first directory: the workers take the rest.
          if (seen.size === 1 && workers > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1500);
        });
      } finally {
        await queue.close();
      }
      expect([...dirs.keys()].filter((i) => !seen.has(i)), `${workers} workers`).toEqual([]);
      for (let i = 0; i < dirs.length; i++) expect(shape(seen.get(i)!), `directory ${i}, ${workers} workers`).toEqual(shape(expected[i]!));
      if (workers > 0) expect(queue.walkedHere).toBeLessThan(dirs.length / 2);
      else expect(queue.walkedHere).toBe(dirs.length);
    }
    dirs.forEach((d, i) => i % 13 === 0 && i < 120 && chmodSync(join(d, 'locked'), 0o644));
  });

  it('uses a worker only for many files and with a core the load leaves free; the variable forces a count', () => {
    const env = {} as NodeJS.ProcessEnv;
    expect(treeWorkersFor(100, env, 0)).toBe(0);
    expect(treeWorkersFor(50_000, env, 0)).toBe(Math.max(0, availableParallelism() - 1));
    expect(treeWorkersFor(50_000, env, 64)).toBe(0);
    expect(treeWorkersFor(50_000, { TRACKIO_FSCK_HASH_WORKERS: '2' }, 64)).toBe(2);
    expect(treeWorkersFor(50_000, { TRACKIO_FSCK_HASH_WORKERS: '0' }, 0)).toBe(0);
  });
});
