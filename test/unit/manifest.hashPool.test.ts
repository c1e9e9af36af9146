// manifest verify hashes on worker threads (HashPool) when a manifest records many files: the
// report must be the one the single-threaded path gives, whatever the sizes and the damage.
import { createHash } from 'node:crypto';
import { appendFileSync, chmodSync, mkdirSync, readFileSync, renameSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { damage, makeDataDir, moreDamage, runId, writeRun } from '../../fixtures/build/dataDir.mjs';
import { recordManifest, verifyManifest } from '../../src/index.js';
import { CHUNK_BYTES } from '../../src/engine/fs/readFileOnce.js';
import { hashFilesBatch, hashTreesBatch, DEFERRED } from '../../src/engine/fs/hashFilesBatch.js';
import { HashPool } from '../../src/engine/fs/HashPool.js';
import { tempDir } from '../helpers/cli.js';

const SIZES = [0, 1, CHUNK_BYTES - 1, CHUNK_BYTES, CHUNK_BYTES + 1, 3 * CHUNK_BYTES + 5];

function bytes(n: number, seed: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + seed * 7) & 0xff;
  return b;
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/**
 * The report with `workers` worker threads. With workers, the calling thread sleeps after its
 * first directory (TreeQueue: the threads share one queue), so the workers surely walk most runs
 * and their results, sent between threads, are what is judged.
 */
async function verifyWith(workers: string, dataDir: string) {
  const env = { ...process.env, TRACKIO_FSCK_HASH_WORKERS: workers };
  let slept = workers === '0';
  const { report, files } = await verifyManifest(dataDir, { env }, (e) => {
    if (e.type !== 'file' || slept) return;
    slept = true;
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1500);
  });
  const findings = report.findings.map((f) => `${f.severity} ${f.code} ${f.path} ${f.message}`);
  return { exitCode: report.exitCode, bytes: report.summary.bytes, findings, files };
}

describe('hashFilesBatch: the bytes read, whatever the size', () => {
  it('hashes 0, 1, buffer-1, buffer, buffer+1 and several-buffer files as hashing them whole does, prefixes included', () => {
    const dir = tempDir();
    const jobs = SIZES.map((n, i) => {
      const path = join(dir, `f${i}`);
      writeFileSync(path, bytes(n, i));
      return { path, prefixBytes: -1 };
    });
    const buf = Buffer.allocUnsafe(CHUNK_BYTES);
    const out = hashFilesBatch(jobs, buf);
    SIZES.forEach((n, i) => {
      expect(out[i]).toMatchObject({ sha256: sha(bytes(n, i)), size: n, stat: { size: n } });
      expect(out[i]!.error).toBeUndefined();
    });
    // The prefix of an append-only file, cut inside, at and beyond a buffer's edge.
    for (const cut of [0, 1, CHUNK_BYTES - 1, CHUNK_BYTES, CHUNK_BYTES + 1]) {
      const whole = bytes(3 * CHUNK_BYTES + 5, 9);
      const path = join(dir, 'grown');
      writeFileSync(path, whole);
      const [r] = hashFilesBatch([{ path, prefixBytes: cut }], buf);
      expect(r).toMatchObject({ sha256: sha(whole), prefixSha256: sha(whole.subarray(0, cut)) });
    }
  });

  it('a link, a FIFO, a directory and a missing path are errors, never read; a tree walk leaves large files to the caller', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'real'), 'x');
    symlinkSync(join(dir, 'real'), join(dir, 'link'));
    moreDamage.fifoInRun(dir, 'r', 'pipe');
    mkdirSync(join(dir, 'sub'));
    const buf = Buffer.allocUnsafe(CHUNK_BYTES);
    const out = hashFilesBatch(['link', 'runs/r/pipe', 'sub', 'gone'].map((p) => ({ path: join(dir, p), prefixBytes: -1 })), buf);
    expect(out.map((o) => o.error)).toEqual(['ELOOP', 'NOT_A_FILE', 'NOT_A_FILE', 'ENOENT']);

    writeFileSync(join(dir, 'sub', 'big'), bytes(CHUNK_BYTES + 1, 1));
    writeFileSync(join(dir, 'sub', 'small'), bytes(CHUNK_BYTES, 2));
    const [tree] = hashTreesBatch([dir], buf);
    const byRel = Object.fromEntries(tree!.map((e) => [e.rel, e]));
    expect(byRel['sub/big']!.outcome!.error).toBe(DEFERRED);
    expect(byRel['sub/small']!.outcome!.sha256).toBe(sha(bytes(CHUNK_BYTES, 2)));
    expect(byRel['link']!.type).toBe('symlink');
    expect(byRel['runs/r/pipe']!.type).toBe('other');
  });
});

describe('manifest verify on worker threads gives the single-threaded report', () => {
  it('over a sweep of file sizes and of damage, with 0, 1 and 2 workers', async () => {
    const dataDir = makeDataDir(tempDir(), { runs: 30, steps: 4 });
    for (let r = 0; r < 30; r++) {
      SIZES.forEach((n, i) => writeFileSync(join(dataDir, 'runs', runId(r), 'artifacts', `s${i}.bin`), bytes(n, r + i)));
    }
    expect((await recordManifest(dataDir)).report.exitCode).toBe(0);
    const clean = await verifyWith('2', dataDir);
    expect(clean.findings).toEqual([]);
    expect(clean.files.every((f) => f.status === 'ok')).toBe(true);

    // One damage per run: each kind a verify reports.
    damage.appendRecords(dataDir, runId(0));
    damage.rewriteRecordedBytes(dataDir, runId(1));
    damage.silentEdit(dataDir, runId(2));
    damage.deleteFile(dataDir, runId(3));
    damage.addFile(dataDir, runId(4));
    damage.symlinkEscape(dataDir, runId(5));
    const big = join(dataDir, 'runs', runId(6), 'artifacts', 's5.bin');
    appendFileSync(big, 'more'); // a large file (past one buffer) that grew: modified
    writeFileSync(join(dataDir, 'runs', runId(7), 'artifacts', 's4.bin'), bytes(CHUNK_BYTES + 1, 99)); // same size, other bytes
    rmSync(join(dataDir, 'runs', runId(8), 'artifacts', 's1.bin'));
    moreDamage.fifoInRun(dataDir, runId(8), 'artifacts/s1.bin'); // a recorded file replaced by a FIFO
    chmodSync(join(dataDir, 'runs', runId(9), 'config.json'), 0o000); // unreadable where it was listed
    renameSync(join(dataDir, 'runs', runId(10), 'logs'), join(dataDir, 'runs', runId(10), 'logs2')); // moved: missing + new
    symlinkSync(join(dataDir, 'runs', runId(0), 'config.json'), join(dataDir, 'runs', runId(11), 'artifacts', 'inside-link'));
    // Past the twelve: a truncated file, a new directory in a run, a new run, names to carry between threads.
    truncateSync(join(dataDir, 'runs', runId(12), 'artifacts', 's2.bin'), 100);
    mkdirSync(join(dataDir, 'runs', runId(13), 'new', 'deeper'), { recursive: true });
    writeFileSync(join(dataDir, 'runs', runId(13), 'new', 'deeper', 'f.txt'), 'new');
    writeRun(dataDir, runId(40), { steps: 2 });
    writeFileSync(join(dataDir, 'runs', runId(14), 'line\nbreak \u00e9.txt'), 'odd name');
    writeFileSync(Buffer.from(join(dataDir, 'runs', runId(14), 'bad-\xff.bin'), 'latin1'), 'not UTF-8');

    const serial = await verifyWith('0', dataDir);
    const codes = new Set(serial.findings.map((f) => f.split(' ')[1]));
    for (const code of ['manifest/appended', 'manifest/modified', 'manifest/missing', 'manifest/new', 'fs/symlink-escape', 'fs/not-a-file']) expect(codes).toContain(code);
    for (const path of [`runs/${runId(12)}/artifacts/s2.bin`, `runs/${runId(13)}/new/deeper/f.txt`, `runs/${runId(40)}/config.json`, `runs/${runId(14)}/line\nbreak \u00e9.txt`]) {
      expect(serial.findings.some((f) => f.includes(` ${path} `)), path).toBe(true);
    }
    if (process.getuid?.() !== 0) expect(codes).toContain('fs/unreadable');
    for (const workers of ['1', '2']) expect(await verifyWith(workers, dataDir)).toEqual(serial);
    chmodSync(join(dataDir, 'runs', runId(9), 'config.json'), 0o644);
  });

  it('a file replaced while the walk reads it is judged on the bytes read, never called clean', async () => {
    const dataDir = makeDataDir(tempDir(), { runs: 40, steps: 4 });
    expect((await recordManifest(dataDir)).report.exitCode).toBe(0);
    const victim = join(dataDir, 'runs', runId(39), 'config.json');
    const before = readFileSync(victim);
    // Changed once the first file was judged, before the walk reached the last run (on the calling
    // thread, so the order is certain; on workers the walk's order is the same, only overlapped).
    let changed = false;
    const env = { ...process.env, TRACKIO_FSCK_HASH_WORKERS: '0' };
    const { report } = await verifyManifest(dataDir, { env }, (e) => {
      if (e.type === 'file' && !changed) {
        changed = true;
        writeFileSync(victim, Buffer.concat([before, Buffer.from(' ')]));
      }
    });
    expect(changed).toBe(true);
    expect(report.findings.map((f) => `${f.code} ${f.path}`)).toEqual([`manifest/modified runs/${runId(39)}/config.json`]);
  });
});

describe('HashPool', () => {
  it('hands every file back once, in batches across workers and the calling thread, and waits when the workers are full', async () => {
    const dir = tempDir();
    const n = 3000;
    for (let i = 0; i < n; i++) writeFileSync(join(dir, `f${i}`), `file ${i}`);
    for (const workers of [0, 1, 2]) {
      const seen = new Map<number, string>();
      const pool = new HashPool(workers, (tag, o) => {
        expect(seen.has(tag)).toBe(false);
        seen.set(tag, o.sha256);
      });
      try {
        for (let i = 0; i < n; i++) await pool.add(i, { path: join(dir, `f${i}`), prefixBytes: -1 });
        await pool.drain();
      } finally {
        await pool.close();
      }
      expect(seen.size).toBe(n);
      for (let i = 0; i < n; i += 499) expect(seen.get(i)).toBe(sha(Buffer.from(`file ${i}`)));
    }
  });
});
