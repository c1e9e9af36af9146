import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareCodePoints } from '../../src/engine/compare/compareCodePoints.js';

// compare matches two sides' names (projects, runs, files) by walking both lists in this order.
describe('compareCodePoints', () => {
  it('orders any two strings as their UTF-8 bytes do, characters above U+FFFF included', () => {
    const text = fc.string({ unit: fc.oneof(fc.constantFrom('a', 'z', '\u00e9', '\uff5e', '\ue000', '\u{1f600}', '\u{10000}'), fc.integer({ min: 0, max: 0x10ffff }).filter((c) => c < 0xd800 || c > 0xdfff).map((c) => String.fromCodePoint(c))), maxLength: 6 });
    fc.assert(
      fc.property(text, text, (a, b) => {
        expect(Math.sign(compareCodePoints(a, b))).toBe(Math.sign(Buffer.compare(Buffer.from(a), Buffer.from(b))));
      }),
      { numRuns: 2000 },
    );
  });
});
