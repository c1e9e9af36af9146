import { describe, expect, it } from 'vitest';
import { quoteNonfiniteTokens } from '../../src/engine/layouts/trackioSqlite/rewriteNonfiniteCells.js';

describe('quoteNonfiniteTokens: bare tokens quoted, every other byte kept', () => {
  const cases: Array<[string, string | undefined]> = [
    ['{"loss": NaN, "lr": 3e-05}', '{"loss": "NaN", "lr": 3e-05}'],
    ['{"a": Infinity, "b": -Infinity, "c": 1.0}', '{"a": "Infinity", "b": "-Infinity", "c": 1.0}'],
    ['{"xs": [NaN, 1, -Infinity], "o": {"k": Infinity}}', '{"xs": ["NaN", 1, "-Infinity"], "o": {"k": "Infinity"}}'],
    // Inside strings, escaped quotes included, nothing is touched.
    ['{"note": "NaN \\" Infinity", "v": NaN}', '{"note": "NaN \\" Infinity", "v": "NaN"}'],
    ['{"NaN": 1, "s": "-Infinity"}', undefined],
    ['{"loss": 0.5}', undefined],
  ];
  for (const [text, want] of cases) {
    it(text, () => {
      const got = quoteNonfiniteTokens(text);
      expect(got).toBe(want);
      if (got !== undefined) expect(() => JSON.parse(got)).not.toThrow();
    });
  }
});
