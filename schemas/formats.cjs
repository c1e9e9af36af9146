// The string formats the precompiled validators use (scripts/compile-schemas.mjs points ajv's
// standalone code here). They are ajv-formats' "full" formats, with one faster path:
// ajv-formats' iso-date-time splits the string with a regex and runs two more regexes, which was
// about 85% of the time spent validating a metrics line. Timestamps almost always have one shape
// (2026-01-01T10:30:00.123456, with Z, +00:00 or none); those are checked with char codes here, and
// every other string goes to ajv-formats' own function, so the accepted set is exactly the same.
'use strict';
const { fullFormats } = require('ajv-formats/dist/formats');

const fullIsoDateTime = fullFormats['iso-date-time'].validate;
const DAYS = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Two ASCII digits at i as a number, or -1. */
function twoDigits(s, i) {
  const a = s.charCodeAt(i) - 48;
  const b = s.charCodeAt(i + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

/** YYYY-MM-DDTHH:MM:SS[.fraction][Z|z|±HH[:MM]], a real date and an ordinary time: true; anything else: ajv-formats decides. */
function isoDateTime(s) {
  const n = s.length;
  if (n < 19 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || s.charCodeAt(10) !== 84 || s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58) {
    return fullIsoDateTime(s);
  }
  const century = twoDigits(s, 0);
  const yy = twoDigits(s, 2);
  const month = twoDigits(s, 5);
  const day = twoDigits(s, 8);
  const hour = twoDigits(s, 11);
  const minute = twoDigits(s, 14);
  const second = twoDigits(s, 17);
  if (century < 0 || yy < 0 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) {
    return fullIsoDateTime(s);
  }
  const year = century * 100 + yy;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  if (day > (month === 2 && leap ? 29 : DAYS[month])) return fullIsoDateTime(s);
  let i = 19;
  if (i < n && s.charCodeAt(i) === 46) {
    const digits = ++i;
    while (i < n && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57) i++;
    if (i === digits) return fullIsoDateTime(s);
  }
  if (i === n) return true;
  const zone = s.charCodeAt(i);
  if ((zone === 90 || zone === 122) && i + 1 === n) return true;
  // ±HH:MM (Python's isoformat() writes +00:00), ±HHMM or ±HH, within ±23:59.
  if (zone === 43 || zone === 45) {
    const zoneHour = twoDigits(s, i + 1);
    if (zoneHour >= 0 && zoneHour <= 23) {
      if (i + 3 === n) return true;
      const m = s.charCodeAt(i + 3) === 58 ? i + 4 : i + 3;
      const zoneMinute = twoDigits(s, m);
      if (zoneMinute >= 0 && zoneMinute <= 59 && m + 2 === n) return true;
    }
  }
  return fullIsoDateTime(s);
}

module.exports = { ...fullFormats, 'iso-date-time': { validate: isoDateTime, compare: fullFormats['iso-date-time'].compare } };
