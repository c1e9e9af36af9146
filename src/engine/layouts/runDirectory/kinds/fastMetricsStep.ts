const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN = 0x7b;
const CLOSE = 0x7d;
const MINUS = 0x2d;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;
/** Integer digits beyond this could overflow to Infinity (not a finite number for the schema). */
const MAX_INT_DIGITS = 300;
/** Steps up to 15 digits are exact doubles. */
const MAX_STEP_DIGITS = 15;
const DAYS = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const STEP = Buffer.from('step');
const TIMESTAMP = Buffer.from('timestamp');
const PROTO = Buffer.from('__proto__');
const NULL = Buffer.from('null');
const NONFINITE_STRINGS = [Buffer.from('"NaN"'), Buffer.from('"Infinity"'), Buffer.from('"-Infinity"')];

/**
 * The usual metrics line, checked on its bytes without decoding, JSON.parse or ajv: a flat object
 * whose values are plain numbers, null or the strings "NaN"/"Infinity"/"-Infinity", a plain-digit
 * `step`, and an optional `timestamp` (a number, or a YYYY-MM-DDTHH:MM:SS[.fraction][Z] string
 * with a real date and time). Returns the step when buf[s, e) is certainly valid JSON *and* a
 * valid metrics record; otherwise -1, and the caller takes the full path (JSON.parse + the
 * compiled schema), which decides. It only ever accepts, never rejects: a line it does not know
 * (escapes, exponents, non-ASCII, nested objects, a repeated step, ...) costs only time.
 */
export function fastMetricsStep(buf: Uint8Array, s: number, e: number): number {
  let i = skipSpace(buf, s, e);
  if (i >= e || buf[i] !== OPEN) return -1;
  let step = -1;
  for (;;) {
    i = skipSpace(buf, i + 1, e);
    // A key: a plain string (printable ASCII, no escapes).
    if (i >= e || buf[i] !== QUOTE) return -1;
    const keyStart = i + 1;
    const keyEnd = plainStringEnd(buf, keyStart, e);
    if (keyEnd < 0) return -1;
    i = skipSpace(buf, keyEnd + 1, e);
    if (i >= e || buf[i] !== COLON) return -1;
    i = skipSpace(buf, i + 1, e);
    if (i >= e) return -1;
    if (bytesAre(buf, keyStart, keyEnd, STEP)) {
      if (step !== -1) return -1; // a repeated key: leave it to JSON.parse's last-one-wins
      const end = stepEnd(buf, i, e);
      if (end < 0) return -1;
      step = 0;
      for (let d = i; d < end; d++) step = step * 10 + (buf[d]! - ZERO);
      i = end;
    } else if (bytesAre(buf, keyStart, keyEnd, TIMESTAMP)) {
      if (buf[i] === QUOTE) {
        const end = plainStringEnd(buf, i + 1, e);
        if (end < 0 || !isUsualDateTime(buf, i + 1, end)) return -1;
        i = end + 1;
      } else {
        i = numberEnd(buf, i, e);
        if (i < 0) return -1;
      }
    } else if (bytesAre(buf, keyStart, keyEnd, PROTO)) {
      return -1;
    } else {
      i = metricValueEnd(buf, i, e);
      if (i < 0) return -1;
    }
    i = skipSpace(buf, i, e);
    if (i >= e) return -1;
    const c = buf[i];
    if (c === CLOSE) break;
    if (c !== COMMA) return -1;
  }
  // Nothing but JSON whitespace (or the \r of a CRLF line) after the object.
  if (skipSpace(buf, i + 1, e) !== e) return -1;
  return step;
}

function skipSpace(buf: Uint8Array, i: number, e: number): number {
  while (i < e) {
    const c = buf[i];
    if (c !== 0x20 && c !== 0x09 && c !== 0x0d) break;
    i++;
  }
  return i;
}

function bytesAre(buf: Uint8Array, s: number, e: number, word: Uint8Array): boolean {
  if (e - s !== word.length) return false;
  for (let k = 0; k < word.length; k++) if (buf[s + k] !== word[k]) return false;
  return true;
}

/** From just after an opening quote: the index of the closing quote of a string of printable ASCII without escapes, or -1. */
function plainStringEnd(buf: Uint8Array, i: number, e: number): number {
  while (i < e) {
    const c = buf[i]!;
    if (c === QUOTE) return i;
    if (c < 0x20 || c > 0x7e || c === BACKSLASH) return -1;
    i++;
  }
  return -1;
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

/** A JSON number without exponent: -?(0|[1-9][0-9]*)(\.[0-9]+)? */
function numberEnd(buf: Uint8Array, i: number, e: number): number {
  if (buf[i] === MINUS) i++;
  if (i >= e) return -1;
  const c = buf[i]!;
  if (c === ZERO) {
    i++;
  } else if (c > ZERO && c <= NINE) {
    const start = i;
    while (i < e && isDigit(buf[i]!)) i++;
    if (i - start > MAX_INT_DIGITS) return -1;
  } else {
    return -1;
  }
  if (i < e && buf[i] === DOT) {
    const fraction = ++i;
    while (i < e && isDigit(buf[i]!)) i++;
    if (i === fraction) return -1;
  }
  return i;
}

/** A number, null, or exactly "NaN", "Infinity" or "-Infinity". */
function metricValueEnd(buf: Uint8Array, i: number, e: number): number {
  const c = buf[i];
  if (c === QUOTE) {
    for (const word of NONFINITE_STRINGS) {
      if (i + word.length <= e && bytesAre(buf, i, i + word.length, word)) return i + word.length;
    }
    return -1;
  }
  if (c === 0x6e /* n */) return i + 4 <= e && bytesAre(buf, i, i + 4, NULL) ? i + 4 : -1;
  return numberEnd(buf, i, e);
}

/**
 * YYYY-MM-DDTHH:MM:SS[.digits][Z|z] with a real date and an ordinary time (no leap second), the
 * shape trackers write: a subset of what the schema's iso-date-time format accepts (checked by
 * the differential tests), so anything else is left to the full path.
 */
function isUsualDateTime(buf: Uint8Array, s: number, e: number): boolean {
  const n = e - s;
  if (n < 19 || buf[s + 4] !== MINUS || buf[s + 7] !== MINUS || buf[s + 10] !== 0x54 || buf[s + 13] !== COLON || buf[s + 16] !== COLON) return false;
  const year = twoDigits(buf, s) * 100 + twoDigits(buf, s + 2);
  const month = twoDigits(buf, s + 5);
  const day = twoDigits(buf, s + 8);
  const hour = twoDigits(buf, s + 11);
  const minute = twoDigits(buf, s + 14);
  const second = twoDigits(buf, s + 17);
  if (year < 0 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) return false;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  if (day > (month === 2 && leap ? 29 : DAYS[month]!)) return false;
  let i = s + 19;
  if (i < e && buf[i] === DOT) {
    const digits = ++i;
    while (i < e && isDigit(buf[i]!)) i++;
    if (i === digits) return false;
  }
  if (i === e) return true;
  return (buf[i] === 0x5a || buf[i] === 0x7a) && i + 1 === e;
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
