import { decodePathBytes } from '../fs/pathBytes.js';

/**
 * The usual line, read on its bytes: 64 hex digits, two spaces (or space and '*'), a path with no
 * escape. Undefined for anything else, which parseSha256sumLine then judges on the decoded text.
 */
export function plainLine(buf: Buffer, start: number, end: number): { sha256: string; path: string } | undefined {
  if (end - start < 67 || buf[start] === 92 /* \\ */ || buf[start + 64] !== 32 || (buf[start + 65] !== 32 && buf[start + 65] !== 42)) return undefined;
  let lower = true;
  for (let i = start; i < start + 64; i++) {
    const c = buf[i]!;
    if ((c >= 48 && c <= 57) || (c >= 97 && c <= 102)) continue;
    if (c >= 65 && c <= 70) lower = false;
    else return undefined;
  }
  let ascii = true;
  for (let i = start + 66; i < end; i++) {
    if (buf[i]! >= 128) {
      ascii = false;
      break;
    }
  }
  const sha = buf.toString('latin1', start, start + 64);
  // latin1 of ASCII bytes is a fresh flat string: it keeps no chunk alive.
  const path = ascii ? buf.toString('latin1', start + 66, end) : decodePathBytes(buf.subarray(start + 66, end));
  return { sha256: lower ? sha : sha.toLowerCase(), path };
}
