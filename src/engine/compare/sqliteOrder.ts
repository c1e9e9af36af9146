/**
 * SQLite's ORDER BY order for the values better-sqlite3 returns, so a merge join in JavaScript
 * walks two ORDER BY streams exactly as SQLite sorted them: NULL, then numbers, then text
 * (BINARY collation: UTF-8 bytes, which is code point order), then BLOBs (memcmp).
 */
export function sqliteCompare(a: unknown, b: unknown): number {
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra - rb;
  switch (ra) {
    case 0:
      return 0;
    case 1: {
      const x = Number(a);
      const y = Number(b);
      return x < y ? -1 : x > y ? 1 : 0;
    }
    case 2:
      return compareCodePoints(a as string, b as string);
    default:
      return Buffer.compare(a as Buffer, b as Buffer);
  }
}

function rank(v: unknown): number {
  if (v === null || v === undefined) return 0;
  if (typeof v === 'number' || typeof v === 'bigint') return 1;
  if (typeof v === 'string') return 2;
  return 3;
}

/**
 * JavaScript's `<` compares UTF-16 code units, which puts characters above U+FFFF before
 * U+E000..U+FFFF; UTF-8 bytes (SQLite) put them after. Only the first differing position matters.
 */
export function compareCodePoints(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  if (i === n) return a.length - b.length;
  // Step back onto a high surrogate so codePointAt reads the whole character.
  if (i > 0 && isHigh(a.charCodeAt(i - 1)) && (isLow(a.charCodeAt(i)) || isLow(b.charCodeAt(i)))) i--;
  return a.codePointAt(i)! - b.codePointAt(i)!;
}

const isHigh = (c: number) => c >= 0xd800 && c <= 0xdbff;
const isLow = (c: number) => c >= 0xdc00 && c <= 0xdfff;
