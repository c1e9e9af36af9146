import { createHash } from 'node:crypto';
import type { ManifestInput } from '../../src/engine/manifest/ManifestWriter.js';

/** Names sha256sum escapes (backslash, newline, CR), non-ASCII, and UTF-16 that is not valid UTF-8. */
export const ODD_NAMES = ['a\\b.bin', 'line\nbreak.txt', 'café.log', 'bad-\udc80\udcff.bin', 'cr\rname'];

const sha = (s: string): string => createHash('sha256').update(s).digest('hex');

/**
 * `n` files to record across many runs, every 97th with one of `odd`'s names: every third kept from
 * a manifest without stat facts; some recorded live, some with lines and findings.
 */
export function manifestInputs(n: number, odd: readonly string[] = ODD_NAMES): ManifestInput[] {
  const out: ManifestInput[] = [];
  for (let i = 0; i < n; i++) {
    const name = i % 97 === 0 ? odd[(i / 97) % odd.length]! : `file-${i}.bin`;
    const f: ManifestInput = { path: `runs/r${String(i % 1000).padStart(4, '0')}/d${i}/${name}`, sha256: sha(String(i)) };
    if (i % 3 !== 0) Object.assign(f, { size: i * 7, mtimeMs: 1_700_000_000_000 + i + 0.25, ino: 1e6 + i });
    if (i % 3 === 1) f.lines = i;
    if (i % 11 === 1) f.live = true;
    if (i % 501 === 1) f.findings = [{ code: 'jsonl/bad-line', severity: 'error', run: null, path: f.path, message: `m${i}` } as never];
    out.push(f);
  }
  return out;
}
