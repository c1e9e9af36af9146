/**
 * File names are bytes; JavaScript strings are UTF-16. A name that is not valid UTF-8 would lose
 * bytes in a plain `toString()` (each bad byte becomes U+FFFD), so its file could no longer be
 * opened, recorded or backed up. Names are decoded as Python's `surrogateescape` does: valid UTF-8
 * as itself, each byte of an invalid sequence as the lone surrogate U+DC80..U+DCFF, which no valid
 * UTF-8 name can produce. Every path string in trackio-fsck may hold such escapes; `fsPath` turns
 * it back into the exact bytes for a file-system call, and `pathBytes` for a manifest line.
 */

const ESCAPED = /[\u{dc80}-\u{dcff}]/u;
/** String.prototype.isWellFormed: Node 20 has it, the ES2022 typings do not. */
type WellFormed = string & { isWellFormed(): boolean };

/** True when the string holds an escaped byte (a name that is not valid UTF-8). */
export function hasEscapedBytes(s: string): boolean {
  return ESCAPED.test(s);
}

/** Bytes (a name, a link target, a whole manifest) to a string that `pathBytes` turns back into the same bytes. */
export function decodePathBytes(b: Uint8Array): string {
  const buf = Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength);
  const s = buf.toString('utf8');
  // The common case: valid UTF-8 (a U+FFFD in the text may be a real one; the round trip tells).
  if (!s.includes('\ufffd') || Buffer.from(s, 'utf8').equals(buf)) return s;
  let out = '';
  let i = 0;
  while (i < buf.length) {
    const n = validSequenceLength(buf, i);
    if (n > 0) {
      out += buf.toString('utf8', i, i + n);
      i += n;
    } else {
      out += String.fromCharCode(0xdc00 + buf[i]!);
      i++;
    }
  }
  return out;
}

/** The exact bytes a string from `decodePathBytes` came from. */
export function pathBytes(s: string): Buffer {
  if (!ESCAPED.test(s)) return Buffer.from(s, 'utf8');
  const parts: Buffer[] = [];
  let run = '';
  for (const ch of s) {
    const c = ch.charCodeAt(0);
    if (ch.length === 1 && c >= 0xdc80 && c <= 0xdcff) {
      if (run) parts.push(Buffer.from(run, 'utf8'));
      run = '';
      parts.push(Buffer.of(c - 0xdc00));
    } else run += ch;
  }
  if (run) parts.push(Buffer.from(run, 'utf8'));
  return Buffer.concat(parts);
}

/** A path for a file-system call: the string itself, or its exact bytes when it holds an escaped byte. */
export function fsPath(s: string): string | Buffer {
  // isWellFormed (native) is the hot path's test: an escaped byte is a lone surrogate.
  return (s as WellFormed).isWellFormed() || !ESCAPED.test(s) ? s : pathBytes(s);
}

/** Length of the strict UTF-8 sequence at `i` (no overlong forms, no surrogates, at most U+10FFFF), or 0. */
function validSequenceLength(b: Buffer, i: number): number {
  const c = b[i]!;
  if (c < 0x80) return 1;
  const cont = (k: number, lo = 0x80, hi = 0xbf) => i + k < b.length && b[i + k]! >= lo && b[i + k]! <= hi;
  if (c >= 0xc2 && c <= 0xdf) return cont(1) ? 2 : 0;
  if (c === 0xe0) return cont(1, 0xa0) && cont(2) ? 3 : 0;
  if (c === 0xed) return cont(1, 0x80, 0x9f) && cont(2) ? 3 : 0;
  if (c >= 0xe1 && c <= 0xef) return cont(1) && cont(2) ? 3 : 0;
  if (c === 0xf0) return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0;
  if (c >= 0xf1 && c <= 0xf3) return cont(1) && cont(2) && cont(3) ? 4 : 0;
  if (c === 0xf4) return cont(1, 0x80, 0x8f) && cont(2) && cont(3) ? 4 : 0;
  return 0;
}
