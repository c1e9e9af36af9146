import { readVarint } from './readVarint.js';

/** A TEXT value whose bytes are not valid UTF-8: kept as its bytes, so writing it back changes nothing. */
export class TextBytes {
  constructor(readonly bytes: Buffer) {}
}

export type SqlValue = null | number | bigint | string | Buffer | TextBytes;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Decodes one record (SQLite's row format: a header of serial types, then the values), or
 * undefined when it is not a well-formed record: a header running past the payload, a reserved
 * serial type (10, 11), or values whose lengths do not add up to exactly the payload's length.
 * That exactness is what tells a real record from bytes that only look like one.
 * `encoding`: 1 UTF-8, 2 UTF-16le, 3 UTF-16be (database header offset 56).
 */
export function decodeRecord(payload: Buffer, encoding = 1): SqlValue[] | undefined {
  const h = readVarint(payload, 0);
  if (!h || typeof h.value !== 'number' || h.value < h.next || h.value > payload.length) return undefined;
  const headerEnd = h.value;
  const types: number[] = [];
  let at = h.next;
  let bodyLength = 0;
  while (at < headerEnd) {
    const t = readVarint(payload, at, headerEnd);
    if (!t || typeof t.value !== 'number' || t.value === 10 || t.value === 11) return undefined;
    types.push(t.value);
    bodyLength += sizeOf(t.value);
    at = t.next;
  }
  if (at !== headerEnd || headerEnd + bodyLength !== payload.length) return undefined;
  const values: SqlValue[] = new Array(types.length);
  let p = headerEnd;
  for (let i = 0; i < types.length; i++) {
    const t = types[i]!;
    const n = sizeOf(t);
    values[i] = valueOf(payload, p, t, n, encoding);
    p += n;
  }
  return values;
}

/** Bytes a serial type's value takes in the record body. */
export function sizeOf(t: number): number {
  if (t < 12) return [0, 1, 2, 3, 4, 6, 8, 8, 0, 0, 0, 0][t]!;
  return Math.floor((t - 12) / 2);
}

function valueOf(b: Buffer, p: number, t: number, n: number, encoding: number): SqlValue {
  switch (t) {
    case 0:
      return null;
    case 1:
      return b.readInt8(p);
    case 2:
      return b.readInt16BE(p);
    case 3:
      return b.readIntBE(p, 3);
    case 4:
      return b.readInt32BE(p);
    case 5:
      return b.readIntBE(p, 6);
    case 6: {
      const v = b.readBigInt64BE(p);
      return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
    }
    case 7:
      return b.readDoubleBE(p);
    case 8:
      return 0;
    case 9:
      return 1;
  }
  const bytes = b.subarray(p, p + n);
  if (t % 2 === 0) return Buffer.from(bytes); // a copy: the page buffer it sits in may be reused
  if (encoding === 2 || encoding === 3) {
    if (bytes.length % 2 !== 0) return new TextBytes(Buffer.from(bytes));
    return encoding === 2 ? bytes.toString('utf16le') : Buffer.from(bytes).swap16().toString('utf16le');
  }
  // Plain ASCII is the common case and needs no validation.
  let ascii = true;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i]! >= 0x80) {
      ascii = false;
      break;
    }
  }
  if (ascii) return bytes.toString('latin1');
  try {
    return utf8.decode(bytes);
  } catch {
    return new TextBytes(Buffer.from(bytes));
  }
}
