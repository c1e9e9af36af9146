/** A varint as SQLite stores it (big-endian, 7 bits a byte, the 9th byte whole): its value and the offset after it. */
export interface Varint {
  /** A number when it is a safe integer (|v| < 2^53), else a bigint (64-bit two's complement, signed). */
  value: number | bigint;
  next: number;
}

/**
 * Reads the varint at `offset`, or undefined when it runs past `end` (a cell cut short by damage).
 * The common case (values below 2^49, seven bytes or fewer) stays in numbers; only longer ones pay for a bigint.
 */
export function readVarint(buf: Uint8Array, offset: number, end = buf.length): Varint | undefined {
  let v = 0;
  for (let i = 0; i < 8; i++) {
    const at = offset + i;
    if (at >= end) return undefined;
    const b = buf[at]!;
    if (i < 7) {
      v = v * 128 + (b & 0x7f);
      if ((b & 0x80) === 0) return { value: v, next: at + 1 };
    } else {
      // The 8th byte would take the value past 2^49: finish in bigint.
      return readLongVarint(buf, offset, end);
    }
  }
  return undefined;
}

function readLongVarint(buf: Uint8Array, offset: number, end: number): Varint | undefined {
  let v = 0n;
  for (let i = 0; i < 9; i++) {
    const at = offset + i;
    if (at >= end) return undefined;
    const b = buf[at]!;
    if (i === 8) {
      v = (v << 8n) | BigInt(b);
      return { value: normalise(BigInt.asIntN(64, v)), next: at + 1 };
    }
    v = (v << 7n) | BigInt(b & 0x7f);
    if ((b & 0x80) === 0) return { value: normalise(BigInt.asIntN(64, v)), next: at + 1 };
  }
  return undefined;
}

function normalise(v: bigint): number | bigint {
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}
