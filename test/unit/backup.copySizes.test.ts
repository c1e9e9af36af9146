// copySnapshotFile hashes a file that fits in its buffer in one call and a larger one chunk by
// chunk: the copy, its hash and the read-back hash must be the bytes of the source at every edge.
import { createHash } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { copySnapshotFile, hashFileSync } from '../../src/engine/backup/copySnapshotFile.js';
import { tempDir } from '../helpers/cli.js';

const BUF = 1024 * 1024;

describe('copySnapshotFile over a sweep of sizes', () => {
  it('0, 1, buffer-1, buffer, buffer+1, two buffers and several buffers + 5: same bytes, same hash both ways, mode and mtime kept', () => {
    const dir = tempDir();
    for (const n of [0, 1, BUF - 1, BUF, BUF + 1, 2 * BUF, 3 * BUF + 5]) {
      const data = Buffer.alloc(n);
      for (let i = 0; i < n; i++) data[i] = (i * 131 + n) & 0xff;
      const src = join(dir, `src-${n}`);
      const dst = join(dir, `dst-${n}`);
      writeFileSync(src, data, { mode: 0o640 });
      const copy = copySnapshotFile(src, dst);
      const want = createHash('sha256').update(data).digest('hex');
      expect(copy).toMatchObject({ sha256: want, size: n, changed: false });
      expect(readFileSync(dst).equals(data)).toBe(true);
      expect(hashFileSync(dst)).toEqual({ sha256: want, size: n });
      expect(statSync(dst).mode & 0o777).toBe(0o640);
      expect(Math.abs(statSync(dst).mtimeMs - statSync(src).mtimeMs)).toBeLessThan(0.001); // futimes takes seconds as a double: a nanosecond may round
    }
  });
});
