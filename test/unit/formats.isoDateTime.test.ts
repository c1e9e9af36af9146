import { createRequire } from 'node:module';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

// The fast iso-date-time path must accept exactly what ajv-formats accepts: a timestamp that
// passes or fails validation decides whether a line is reported as jsonl/schema.
const require = createRequire(import.meta.url);
type Format = { validate: (s: string) => boolean };
const ours = (require('../../src/generated/formats.cjs') as Record<string, Format>)['iso-date-time']!.validate;
const ajvFormats = (require('ajv-formats/dist/formats') as { fullFormats: Record<string, Format> }).fullFormats['iso-date-time']!.validate;

/** A zero-padded field, mostly around its valid range (where the edges are), sometimes anything. */
const field = (width: number, min: number, max: number) =>
  fc.oneof({ weight: 4, arbitrary: fc.integer({ min, max }) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 10 ** width - 1 }) }).map((v) => String(v).padStart(width, '0'));
/** Strings shaped like timestamps, with every field allowed out of range, so both paths are exercised. */
const timestampLike = fc
  .tuple(
    fc.oneof(field(4, 1896, 2104), fc.constantFrom('2000', '2100', '2024', '2023')),
    field(2, 0, 13),
    field(2, 0, 32),
    fc.constantFrom('T', 'T', 'T', 't', ' ', 'x'),
    field(2, 0, 25),
    field(2, 0, 61),
    field(2, 0, 61),
    fc.constantFrom('', '', '.', '.0', '.123', '.123456', '.12a'),
    fc.oneof(
      fc.constantFrom('', '', 'Z', 'Z', 'z', '+01:00', '-0530', '+24:00', '+01', 'ZZ', ' ', 'Zx', '+00:00', '-05:30', '+23:59', '-00:60', '+05:3', '+05:', '+1', '+05:30Z'),
      // Offsets of every shape, each field around its edges.
      fc.tuple(fc.constantFrom('+', '-'), field(2, 0, 25), fc.constantFrom(':', '', '::'), fc.oneof(field(2, 0, 61), fc.constantFrom('', '0'))).map((p) => p.join('')),
    ),
  )
  .map(([y, mo, d, sep, h, mi, s, frac, zone]) => `${y}-${mo}-${d}${sep}${h}:${mi}:${s}${frac}${zone}`);

describe('iso-date-time format', () => {
  it('agrees with ajv-formats on timestamp-shaped strings', () => {
    fc.assert(fc.property(timestampLike, (s) => ours(s) === ajvFormats(s)), { numRuns: 50_000 });
  });

  it('agrees with ajv-formats on arbitrary strings', () => {
    fc.assert(fc.property(fc.string({ maxLength: 40 }), (s) => ours(s) === ajvFormats(s)), { numRuns: 5_000 });
  });

  it('agrees on the edges of the calendar and the clock', () => {
    const edges = [
      '2024-02-29T00:00:00Z', '2023-02-29T00:00:00Z', '1900-02-29T00:00:00Z', '2000-02-29T00:00:00Z',
      '2026-04-31T10:00:00Z', '2026-12-31T23:59:59.999999', '2026-12-31T23:59:60Z', '2026-00-10T10:00:00Z',
      '2026-01-01T24:00:00Z', '2026-01-01T10:60:00Z', '2026-01-01T10:30:00.', '2026-01-01T10:30:00Zz',
      '2026-01-01T10:30:00.000Z', '2026-01-01T10:30:00', '2026-01-01', '',
    ];
    for (const s of edges) expect([s, ours(s)]).toEqual([s, ajvFormats(s)]);
  });
});
