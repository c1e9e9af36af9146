const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN = 0x7b;
const CLOSE = 0x7d;
const OPEN_LIST = 0x5b;
const CLOSE_LIST = 0x5d;
const MINUS = 0x2d;
const PLUS = 0x2b;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;
const SPACE = 0x20;
const NEWLINE = 0x0a;
const TAB = 0x09;
const CR = 0x0d;
/** A number whose integer digits plus exponent stay below this is finite (doubles reach 1.8e308). */
const MAX_MAGNITUDE = 300;
/** Steps up to 15 digits are exact doubles. */
const MAX_STEP_DIGITS = 15;
/** Nesting deeper than this inside a media object is left to JSON.parse. */
const MAX_DEPTH = 16;
/** Offsets of the digits in YYYY-MM-DDTHH:MM:SS. */
const DIGIT_AT = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18];
const DAYS = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const TIMESTAMP = Buffer.from('timestamp');
const PROTO = Buffer.from('__proto__');
const TYPE = Buffer.from('_type');
const NULL = Buffer.from('null');
const TRUE = Buffer.from('true');
const FALSE = Buffer.from('false');
const NONFINITE_STRINGS = [Buffer.from('"NaN"'), Buffer.from('"Infinity"'), Buffer.from('"-Infinity"')];
/** What a byte is inside a plain string (no escapes, no control characters): see plainByteTable. */
const PLAIN = 0;
const END_QUOTE = 1;
const NOT_PLAIN = 2;
/**
 * Per byte value, what it is inside a plain string: one table load per byte instead of five
 * comparisons. Bytes >= 0x80 are plain only when the caller checked the line's UTF-8.
 */
function plainByteTable(utf8: boolean): Uint8Array {
  const t = new Uint8Array(256);
  for (let c = 0; c < 256; c++) t[c] = c === QUOTE ? END_QUOTE : c < 0x20 || c === BACKSLASH || c === 0x7f || (c > 0x7f && !utf8) ? NOT_PLAIN : PLAIN;
  return t;
}
const PLAIN_ASCII = plainByteTable(false);
const PLAIN_UTF8 = plainByteTable(true);
const BARE_NAN = Buffer.from('NaN');
const BARE_INFINITY = Buffer.from('Infinity');
const BARE_MINUS_INFINITY = Buffer.from('-Infinity');

/** Set by fastMetricsStep: the line it accepted holds a bare NaN/Infinity/-Infinity token. */
let bareNonfinite = false;
/** Set for one call: bytes >= 0x80 inside strings are known to be valid UTF-8. */
let utf8Known = false;

/**
 * Whether the last line fastMetricsStep accepted holds a bare NaN/Infinity/-Infinity metric
 * value (Python's json.dumps writes them): the full path reads such a line as if the token were
 * the string Trackio uses, and reports it as a warning; the caller must report it the same way.
 */
export function lastLineHadBareNonfinite(): boolean {
  return bareNonfinite;
}

/**
 * The usual metrics line, checked on its bytes without decoding, JSON.parse or ajv: an object of
 * metric values, each a number (exponents included, when certainly finite), null, the strings
 * "NaN"/"Infinity"/"-Infinity", the same as bare tokens (as json.dumps writes them), or a media
 * object (a `_type` string among any JSON), a plain-digit `step`, and an optional `timestamp` (a
 * number, or a YYYY-MM-DDTHH:MM:SS[.fraction][Z|±HH:MM] string with a real date and time).
 * Returns the step when buf[s, e) is certainly a valid metrics record for the full path too
 * (parseJsonTolerant + the compiled schema); otherwise -1, and the caller takes the full path,
 * which decides. It only ever accepts, never rejects: a line it does not know (escapes in a
 * top-level key, a repeated step, a leap second, ...) costs only time. Bytes >= 0x80 are
 * accepted inside strings only when `knownUtf8` says the caller checked the encoding.
 */
export function fastMetricsStep(buf: Uint8Array, s: number, e: number, knownUtf8 = false): number {
  const step = fastMetricsLine(buf, s, e, knownUtf8);
  return step >= 0 && lineEnd === e ? step : -1;
}

/** Set by fastMetricsLine: where the line it accepted ends (its '\n', or the limit). */
let lineEnd = -1;

/** Where the last line fastMetricsLine accepted ends: the index of its '\n', or the limit it was given. */
export function lastLineEnd(): number {
  return lineEnd;
}

/**
 * fastMetricsStep for the line that starts at s and ends at the first '\n' before `limit` (or at
 * `limit`), found on the way: the line's bytes are read once, with no Buffer.indexOf per line
 * (a native call that cost more than the line's whole check until V8 had optimized its caller,
 * which a single pass over a file never gave it time to). The fast path accepts no '\n' inside
 * an object, so the '\n' after its closing brace is the line's end. lastLineEnd() tells where.
 */
export function fastMetricsLine(buf: Uint8Array, s: number, e: number, knownUtf8 = false): number {
  bareNonfinite = false;
  lineEnd = -1;
  utf8Known = knownUtf8;
  // The usual members are scanned inline, without a call per key or number: V8 does not inline
  // that many small functions into one this size, and the calls were half the time per line.
  const plain = knownUtf8 ? PLAIN_UTF8 : PLAIN_ASCII;
  let nonfinite = false;
  let i = s;
  if (i < e && buf[i] !== OPEN) i = skipSpace(buf, i, e);
  if (i >= e || buf[i] !== OPEN) return -1;
  let step = -1;
  for (;;) {
    // A key: a plain string (no escapes: "st\u0065p" is "step").
    i++;
    if (i < e && buf[i] !== QUOTE) i = skipSpace(buf, i, e);
    if (i >= e || buf[i] !== QUOTE) return -1;
    const keyStart = ++i;
    for (;;) {
      if (i >= e) return -1;
      const k = plain[buf[i]!]!;
      if (k === PLAIN) i++;
      else if (k === END_QUOTE) break;
      else return -1;
    }
    const keyLength = i - keyStart;
    i++;
    if (i < e && buf[i] !== COLON) i = skipSpace(buf, i, e);
    if (i >= e || buf[i] !== COLON) return -1;
    i++;
    if (i < e && buf[i] === SPACE) i++;
    if (i >= e) return -1;
    let c = buf[i]!;
    if (c === SPACE || c === TAB || c === CR) {
      i = skipSpace(buf, i, e);
      if (i >= e) return -1;
      c = buf[i]!;
    }
    if (keyLength === 4 && buf[keyStart] === 0x73 && buf[keyStart + 1] === 0x74 && buf[keyStart + 2] === 0x65 && buf[keyStart + 3] === 0x70 /* step */) {
      if (step !== -1) return -1; // a repeated key: leave it to JSON.parse's last-one-wins
      const end = stepEnd(buf, i, e);
      if (end < 0) return -1;
      step = 0;
      for (let d = i; d < end; d++) step = step * 10 + (buf[d]! - ZERO);
      i = end;
    } else if (keyLength === 9 && buf[keyStart] === 0x74 && bytesAre(buf, keyStart, keyStart + 9, TIMESTAMP)) {
      if (c === QUOTE) {
        const end = plainStringEnd(buf, i + 1, e);
        if (end < 0 || !isUsualDateTime(buf, i + 1, end)) return -1;
        i = end + 1;
      } else {
        i = finiteNumberEnd(buf, i, e);
        if (i < 0) return -1;
      }
    } else if (keyLength === 9 && buf[keyStart] === 0x5f && bytesAre(buf, keyStart, keyStart + 9, PROTO)) {
      return -1;
    } else if ((c >= ZERO && c <= NINE) || (c === MINUS && i + 1 < e && buf[i + 1]! <= NINE && buf[i + 1]! >= ZERO)) {
      // A plain number, the usual metric value: -?(0|[1-9][0-9]*)(\.[0-9]+)?, then maybe an exponent.
      if (c === MINUS) c = buf[++i]!;
      i++;
      let intDigits = 1;
      if (c !== ZERO) {
        const start = i - 1;
        while (i < e && (c = buf[i]!) >= ZERO && c <= NINE) i++;
        intDigits = i - start;
        if (intDigits > MAX_MAGNITUDE) return -1;
      }
      if (i < e && buf[i] === DOT) {
        const fraction = ++i;
        while (i < e && (c = buf[i]!) >= ZERO && c <= NINE) i++;
        if (i === fraction) return -1;
      }
      if (i < e && ((c = buf[i]!) === 0x65 || c === 0x45) /* e E */) {
        i = exponentEnd(buf, i + 1, e, intDigits);
        if (i < 0) return -1;
      }
    } else {
      if (c === QUOTE) {
        i = nonfiniteStringEnd(buf, i, e);
      } else if (c === OPEN) {
        i = mediaObjectEnd(buf, i, e);
      } else if (c === 0x6e /* n */) {
        i = wordEnd(buf, i, e, NULL);
      } else if (c === 0x4e /* N */ || c === 0x49 /* I */ || (c === MINUS && buf[i + 1] === 0x49)) {
        i = bareNonfiniteEnd(buf, i, e);
        nonfinite = true;
      } else {
        return -1;
      }
      if (i < 0) return -1;
    }
    if (i >= e) return -1;
    c = buf[i]!;
    if (c === COMMA) continue;
    if (c === CLOSE) break;
    i = skipSpace(buf, i, e);
    if (i >= e) return -1;
    c = buf[i]!;
    if (c === CLOSE) break;
    if (c !== COMMA) return -1;
  }
  // Nothing but JSON whitespace (or the \r of a CRLF line) after the object, up to the line's end.
  i++;
  if (i < e && buf[i] !== NEWLINE) i = skipSpace(buf, i, e);
  if (i < e && buf[i] !== NEWLINE) return -1;
  lineEnd = i;
  bareNonfinite = nonfinite;
  return step;
}

function skipSpace(buf: Uint8Array, i: number, e: number): number {
  while (i < e) {
    const c = buf[i];
    if (c !== SPACE && c !== TAB && c !== CR) break;
    i++;
  }
  return i;
}

function bytesAre(buf: Uint8Array, s: number, e: number, word: Uint8Array): boolean {
  if (e - s !== word.length) return false;
  for (let k = 0; k < word.length; k++) if (buf[s + k] !== word[k]) return false;
  return true;
}

/** The end of `word` at i, or -1. */
function wordEnd(buf: Uint8Array, i: number, e: number, word: Uint8Array): number {
  const end = i + word.length;
  return end <= e && bytesAre(buf, i, end, word) ? end : -1;
}

/**
 * From just after an opening quote: the index of the closing quote of a string without escapes
 * or control characters, or -1. Bytes >= 0x80 only when the line is known to be valid UTF-8.
 */
function plainStringEnd(buf: Uint8Array, i: number, e: number): number {
  const plain = utf8Known ? PLAIN_UTF8 : PLAIN_ASCII;
  while (i < e) {
    const k = plain[buf[i]!];
    if (k === END_QUOTE) return i;
    if (k !== PLAIN) return -1;
    i++;
  }
  return -1;
}

/** From just after an opening quote: the closing quote of any JSON string (valid escapes included), or -1. */
function stringEnd(buf: Uint8Array, i: number, e: number): number {
  while (i < e) {
    const c = buf[i]!;
    if (c === QUOTE) return i;
    if (c === BACKSLASH) {
      const x = buf[i + 1];
      if (x === 0x75 /* u */) {
        if (i + 6 > e || !isHex(buf[i + 2]!) || !isHex(buf[i + 3]!) || !isHex(buf[i + 4]!) || !isHex(buf[i + 5]!)) return -1;
        i += 6;
        continue;
      }
      // \" \\ \/ \b \f \n \r \t
      if (x !== QUOTE && x !== BACKSLASH && x !== 0x2f && x !== 0x62 && x !== 0x66 && x !== 0x6e && x !== 0x72 && x !== 0x74) return -1;
      i += 2;
      continue;
    }
    if (c < 0x20 || (c > 0x7e && !utf8Known)) return -1;
    i++;
  }
  return -1;
}

function isHex(c: number): boolean {
  return (c >= ZERO && c <= NINE) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}

/** A step: 0 or [1-9][0-9]* of at most MAX_STEP_DIGITS digits. */
function stepEnd(buf: Uint8Array, i: number, e: number): number {
  const start = i;
  const first = buf[i]!;
  if (first === ZERO) return i + 1;
  if (first <= ZERO || first > NINE) return -1;
  while (i < e && isDigit(buf[i]!)) i++;
  return i - start <= MAX_STEP_DIGITS ? i : -1;
}

/**
 * A JSON number -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? that is certainly finite as a
 * double (the schema's "number" wants a finite one; 1e400 parses to Infinity): its integer digits
 * plus a positive exponent stay under MAX_MAGNITUDE. Python writes 3e-05 and 1e+20; others 2.5E-7.
 */
function finiteNumberEnd(buf: Uint8Array, i: number, e: number): number {
  if (buf[i] === MINUS) i++;
  if (i >= e) return -1;
  const c = buf[i]!;
  let intDigits = 1;
  if (c === ZERO) {
    i++;
  } else if (c > ZERO && c <= NINE) {
    const start = i;
    while (i < e && isDigit(buf[i]!)) i++;
    intDigits = i - start;
    if (intDigits > MAX_MAGNITUDE) return -1;
  } else {
    return -1;
  }
  if (i < e && buf[i] === DOT) {
    const fraction = ++i;
    while (i < e && isDigit(buf[i]!)) i++;
    if (i === fraction) return -1;
  }
  if (i < e && (buf[i] === 0x65 || buf[i] === 0x45) /* e E */) return exponentEnd(buf, i + 1, e, intDigits);
  return i;
}

/**
 * From just after the `e`/`E` of a number with `intDigits` integer digits: [+-]?[0-9]+, where
 * the number stays certainly finite. The index after it, or -1.
 */
function exponentEnd(buf: Uint8Array, i: number, e: number, intDigits: number): number {
  let negative = false;
  if (i < e && (buf[i] === PLUS || buf[i] === MINUS)) negative = buf[i++] === MINUS;
  const digits = i;
  let exponent = 0;
  while (i < e && isDigit(buf[i]!)) {
    exponent = exponent * 10 + (buf[i]! - ZERO);
    i++;
  }
  if (i === digits || i - digits > 6) return -1; // no digits, or too many to count on
  if (!negative && intDigits + exponent > MAX_MAGNITUDE) return -1;
  return i;
}

/** Any JSON number (inside a media object, where the schema asks nothing of it). */
function anyNumberEnd(buf: Uint8Array, i: number, e: number): number {
  if (buf[i] === MINUS) i++;
  if (i >= e) return -1;
  const c = buf[i]!;
  if (c === ZERO) i++;
  else if (c > ZERO && c <= NINE) while (i < e && isDigit(buf[i]!)) i++;
  else return -1;
  if (i < e && buf[i] === DOT) {
    const fraction = ++i;
    while (i < e && isDigit(buf[i]!)) i++;
    if (i === fraction) return -1;
  }
  if (i < e && (buf[i] === 0x65 || buf[i] === 0x45)) {
    i++;
    if (i < e && (buf[i] === PLUS || buf[i] === MINUS)) i++;
    const digits = i;
    while (i < e && isDigit(buf[i]!)) i++;
    if (i === digits) return -1;
  }
  return i;
}

/** Exactly "NaN", "Infinity" or "-Infinity" (the strings Trackio writes). */
function nonfiniteStringEnd(buf: Uint8Array, i: number, e: number): number {
  for (const word of NONFINITE_STRINGS) {
    const end = wordEnd(buf, i, e, word);
    if (end >= 0) return end;
  }
  return -1;
}

/**
 * A bare NaN, Infinity or -Infinity token. The full path reads it as the same string quoted; the
 * caller has checked that a delimiter follows (a value must be followed by `,`, `}` or space).
 */
function bareNonfiniteEnd(buf: Uint8Array, i: number, e: number): number {
  const c = buf[i];
  return wordEnd(buf, i, e, c === 0x4e ? BARE_NAN : c === 0x49 ? BARE_INFINITY : BARE_MINUS_INFINITY);
}

/**
 * A media object: `{` ... `}` holding a `_type` whose value is a string, other members any JSON
 * (no bare NaN: the full path would quote it, but such lines are rare enough to leave to it).
 * Its own keys must be plain strings ("_typ\u0065" is "_type"). Returns the index after `}`.
 */
function mediaObjectEnd(buf: Uint8Array, i: number, e: number): number {
  let typed = false;
  i = skipSpace(buf, i + 1, e);
  if (i < e && buf[i] === CLOSE) return -1; // {} has no _type
  for (;;) {
    if (i >= e || buf[i] !== QUOTE) return -1;
    const keyStart = i + 1;
    const keyEnd = plainStringEnd(buf, keyStart, e);
    if (keyEnd < 0) return -1;
    i = skipSpace(buf, keyEnd + 1, e);
    if (i >= e || buf[i] !== COLON) return -1;
    i = skipSpace(buf, i + 1, e);
    if (i >= e) return -1;
    if (keyEnd - keyStart === 5 && bytesAre(buf, keyStart, keyEnd, TYPE)) {
      // Every _type must be a string, so whichever one JSON.parse keeps is.
      if (buf[i] !== QUOTE) return -1;
      i = stringEnd(buf, i + 1, e);
      if (i < 0) return -1;
      i++;
      typed = true;
    } else {
      i = jsonValueEnd(buf, i, e, 1);
      if (i < 0) return -1;
    }
    i = skipSpace(buf, i, e);
    if (i >= e) return -1;
    const c = buf[i];
    if (c === CLOSE) return typed ? i + 1 : -1;
    if (c !== COMMA) return -1;
    i = skipSpace(buf, i + 1, e);
  }
}

/** Any JSON value starting at i (not whitespace); the index after it, or -1. */
function jsonValueEnd(buf: Uint8Array, i: number, e: number, depth: number): number {
  const c = buf[i];
  if (c === QUOTE) {
    const end = stringEnd(buf, i + 1, e);
    return end < 0 ? -1 : end + 1;
  }
  if (c === OPEN || c === OPEN_LIST) {
    if (depth >= MAX_DEPTH) return -1;
    const close = c === OPEN ? CLOSE : CLOSE_LIST;
    i = skipSpace(buf, i + 1, e);
    if (i < e && buf[i] === close) return i + 1;
    for (;;) {
      if (i >= e) return -1;
      if (c === OPEN) {
        if (buf[i] !== QUOTE) return -1;
        i = stringEnd(buf, i + 1, e);
        if (i < 0) return -1;
        i = skipSpace(buf, i + 1, e);
        if (i >= e || buf[i] !== COLON) return -1;
        i = skipSpace(buf, i + 1, e);
        if (i >= e) return -1;
      }
      i = jsonValueEnd(buf, i, e, depth + 1);
      if (i < 0) return -1;
      i = skipSpace(buf, i, e);
      if (i >= e) return -1;
      const d = buf[i];
      if (d === close) return i + 1;
      if (d !== COMMA) return -1;
      i = skipSpace(buf, i + 1, e);
    }
  }
  if (c === 0x6e) return wordEnd(buf, i, e, NULL);
  if (c === 0x74) return wordEnd(buf, i, e, TRUE);
  if (c === 0x66) return wordEnd(buf, i, e, FALSE);
  return anyNumberEnd(buf, i, e);
}

/**
 * YYYY-MM-DDTHH:MM:SS[.digits][Z|z|±HH:MM] with a real date, an ordinary time (no leap second)
 * and an offset within ±23:59: the shapes trackers write (Python's isoformat() gives
 * +00:00), a subset of what the schema's iso-date-time format accepts (checked by the
 * differential tests), so anything else is left to the full path.
 */
function isUsualDateTime(buf: Uint8Array, s: number, e: number): boolean {
  if (e - s < 19 || buf[s + 4] !== MINUS || buf[s + 7] !== MINUS || buf[s + 10] !== 0x54 || buf[s + 13] !== COLON || buf[s + 16] !== COLON) return false;
  for (let k = 0; k < DIGIT_AT.length; k++) {
    const d = buf[s + DIGIT_AT[k]!]!;
    if (d < ZERO || d > NINE) return false;
  }
  const year = (buf[s]! - ZERO) * 1000 + (buf[s + 1]! - ZERO) * 100 + (buf[s + 2]! - ZERO) * 10 + (buf[s + 3]! - ZERO);
  const month = (buf[s + 5]! - ZERO) * 10 + (buf[s + 6]! - ZERO);
  const day = (buf[s + 8]! - ZERO) * 10 + (buf[s + 9]! - ZERO);
  const hour = (buf[s + 11]! - ZERO) * 10 + (buf[s + 12]! - ZERO);
  const minute = (buf[s + 14]! - ZERO) * 10 + (buf[s + 15]! - ZERO);
  const second = (buf[s + 17]! - ZERO) * 10 + (buf[s + 18]! - ZERO);
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return false;
  if (day > 28 && day > daysIn(year, month)) return false;
  let i = s + 19;
  if (i < e && buf[i] === DOT) {
    const digits = ++i;
    while (i < e && isDigit(buf[i]!)) i++;
    if (i === digits) return false;
  }
  if (i === e) return true;
  const zone = buf[i];
  if (zone === 0x5a || zone === 0x7a) return i + 1 === e;
  if ((zone !== PLUS && zone !== MINUS) || i + 6 !== e || buf[i + 3] !== COLON) return false;
  const zoneHour = twoDigits(buf, i + 1);
  const zoneMinute = twoDigits(buf, i + 4);
  return zoneHour >= 0 && zoneHour <= 23 && zoneMinute >= 0 && zoneMinute <= 59;
}

function daysIn(year: number, month: number): number {
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return month === 2 && leap ? 29 : DAYS[month]!;
}

/** Two ASCII digits as a number, or a large negative number. */
function twoDigits(buf: Uint8Array, i: number): number {
  const a = buf[i]! - ZERO;
  const b = buf[i + 1]! - ZERO;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -10000;
}

function isDigit(c: number): boolean {
  return c >= ZERO && c <= NINE;
}
