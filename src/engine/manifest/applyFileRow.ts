import type { ManifestEntries } from './ManifestEntries.js';

/** applyFileRow's answer for a line that is not the usual file row: parse it as JSON (parseFlatArray, parseRow). */
export const NOT_SIMPLE = -2;

/**
 * The record's usual file row, `,["f","<path>","<64 hex>",size,mtimeMs,ino,flags,lines|null]`
 * (an ASCII path without escapes, plain numbers, no findings), attached to its manifest entry
 * straight from its bytes: no string, array or object made per row (50 000 rows parsed and
 * matched as values cost more than hashing the manifest several times over). The rule is
 * readRecord's: a row vouches for the entry with its path only when the SHA-256s agree. Returns
 * the row it was attached to, -1 for a well-formed row that attaches to nothing, NOT_SIMPLE for
 * any other line. `guess`: the row expected (the rows come in the manifest's order).
 */
export function applyFileRow(entries: ManifestEntries, buf: Buffer, start: number, end: number, guess: number): number {
  at = buf[start] === 44 /* , */ ? start + 1 : start;
  // ["f","
  if (buf[at] !== 91 || buf[at + 1] !== 34 || buf[at + 2] !== 102 || buf[at + 3] !== 34 || buf[at + 4] !== 44 || buf[at + 5] !== 34) return NOT_SIMPLE;
  const pathStart = (at += 6);
  for (; at < end; at++) {
    const b = buf[at]!;
    if (b === 34) break;
    if (b === 92 /* \ */ || b < 32 || b >= 128) return NOT_SIMPLE;
  }
  const pathEnd = at;
  // ","<64 lowercase hex>",
  if (at >= end || buf[at + 1] !== 44 || buf[at + 2] !== 34) return NOT_SIMPLE;
  const shaAt = (at += 3);
  for (; at < shaAt + 64; at++) {
    const c = buf[at]!;
    if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return NOT_SIMPLE;
  }
  if (buf[at] !== 34 || buf[at + 1] !== 44) return NOT_SIMPLE;
  at += 2;
  const size = digits(buf, end);
  if (size < 0 || buf[at++] !== 44) return NOT_SIMPLE;
  const mtimeMs = number(buf, end);
  if (mtimeMs === undefined || buf[at++] !== 44) return NOT_SIMPLE;
  const ino = number(buf, end);
  if (ino === undefined || buf[at++] !== 44) return NOT_SIMPLE;
  const bits = digits(buf, end);
  if (bits < 0 || buf[at++] !== 44) return NOT_SIMPLE;
  let lines = -1;
  if (buf[at] === 110 /* null */ && buf[at + 1] === 117 && buf[at + 2] === 108 && buf[at + 3] === 108) at += 4;
  else if ((lines = digits(buf, end)) < 0) return NOT_SIMPLE;
  if (buf[at] !== 93 /* ] */ || at + 1 !== end) return NOT_SIMPLE;
  const row = entries.rowOfAscii(buf, pathStart, pathEnd, guess);
  if (row < 0 || !entries.shaIsHex(row, buf, shaAt)) return -1;
  entries.setRecordFields(row, size, mtimeMs, ino, bits, lines);
  return row;
}

/** Where the row is read (a module-level cursor: no object per number). */
let at = 0;

/** A non-negative JSON integer of at most 15 digits (exact in a double), or -1 for anything else. */
function digits(buf: Buffer, end: number): number {
  const from = at;
  let n = 0;
  while (at < end && buf[at]! >= 48 && buf[at]! <= 57) n = n * 10 + (buf[at++]! - 48);
  const length = at - from;
  if (length === 0 || length > 15 || (buf[from] === 48 && length > 1)) return -1;
  const next = buf[at];
  return next === 46 || next === 101 || next === 69 ? -1 : n; // a fraction or exponent: not a plain integer
}

/** Any JSON number, as JSON.parse reads it; undefined for anything else. */
function number(buf: Buffer, end: number): number | undefined {
  const from = at;
  if (buf[at] === 45 /* - */) at++;
  const intStart = at;
  while (at < end && buf[at]! >= 48 && buf[at]! <= 57) at++;
  if (at === intStart || (buf[intStart] === 48 && at - intStart > 1)) return undefined;
  let plain = true;
  if (buf[at] === 46 /* . */) {
    const f = ++at;
    while (at < end && buf[at]! >= 48 && buf[at]! <= 57) at++;
    if (at === f) return undefined;
    plain = false;
  }
  if (buf[at] === 101 || buf[at] === 69) {
    at++;
    if (buf[at] === 43 || buf[at] === 45) at++;
    const e = at;
    while (at < end && buf[at]! >= 48 && buf[at]! <= 57) at++;
    if (at === e) return undefined;
    plain = false;
  }
  if (plain && at - intStart <= 15) {
    let n = 0;
    for (let i = intStart; i < at; i++) n = n * 10 + (buf[i]! - 48);
    return from === intStart ? n : -n;
  }
  return Number(buf.toString('latin1', from, at));
}
