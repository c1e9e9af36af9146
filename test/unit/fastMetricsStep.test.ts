import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { metricsRecord } from '../../fixtures/build/dataDir.mjs';
import { fastMetricsStep } from '../../src/engine/layouts/runDirectory/kinds/fastMetricsStep.js';
import { validators } from '../helpers/engine.js';

// The byte-level fast path may only accept what JSON.parse + the compiled schema accept, with the
// same step: if it ever accepted more, a damaged line would go unreported.
const validate = validators.metricsLine!;

function fullPath(line: string): { ok: true; step: unknown } | { ok: false } {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return { ok: false };
  }
  return validate(value) ? { ok: true, step: (value as { step: unknown }).step } : { ok: false };
}

function fast(line: string): number {
  const buf = Buffer.from(line, 'utf8');
  return fastMetricsStep(buf, 0, buf.length);
}

/** Mostly `usual`, sometimes `odd`: lines near the fast path's edges. */
const mostly = <T,>(usual: fc.Arbitrary<T>, odd: fc.Arbitrary<T>) => fc.oneof({ weight: 6, arbitrary: usual }, { weight: 1, arbitrary: odd });

/** Pieces of JSON, valid and not, near the fast path's edges. */
const key = mostly(
  fc.constantFrom('"loss"', '"acc"', '"timestamp"', '"lr"'),
  fc.constantFrom('"step"', '""', '"__proto__"', '"a\\"b"', '"st\\u0065p"', '"café"', '"tab\there"', 'step', '"x\u007f"'),
);
const value = mostly(
  fc.oneof(
    fc.integer({ min: -1e6, max: 1e6 }).map(String),
    fc.double({ noDefaultInfinity: true, noNaN: true }).map((d) => JSON.stringify(d)),
    fc.constantFrom('null', '"NaN"', '"Infinity"', '"-Infinity"', '0.5', '-0', '"2026-01-01T10:30:00.000Z"', '"2024-02-29T10:30:00Z"'),
  ),
  fc.oneof(
    fc.constantFrom('007', '1.', '.5', '1e5', '1E-3', '-', '--1', '1.2.3', '0x10', 'nul', 'true', 'false', 'NaN', 'Infinity', '-Infinity', '"nan"', '"text"', '""'),
    fc.constantFrom('"2026-01-01T10:30:00"', '"2026-02-29T10:30:00Z"', '"2026-13-01T00:00:00Z"', '"2026-01-01T24:00:00Z"', '"2026-01-01 10:30:00"', '"2026-01-01T10:30:00+01:00"', '"2026-01-01T23:59:60Z"', '"2026-01-01T10:30:00.Z"'),
    fc.constantFrom('{}', '{"_type": "image"}', '[1]', '[]', '{"_type": 1}'),
    fc.bigInt({ min: 0n, max: 10n ** 320n }).map(String),
  ),
);
const stepValue = mostly(fc.integer({ min: 0, max: 1e9 }).map(String), fc.constantFrom('-1', '1.0', '1.5', '01', '1e3', '"1"', 'null', '9007199254740993', '1234567890123456'));
const space = mostly(fc.constantFrom('', ' '), fc.constantFrom('  ', '\t', '\r', '\u00a0', '\n', '\u0000'));
const colon = mostly(fc.constant(':'), fc.constantFrom('=', '::', ''));
const member = fc.tuple(space, key, space, colon, space, value, space).map((p) => p.join(''));
const stepMember = fc.tuple(space, mostly(fc.constant('"step"'), fc.constantFrom('"Step"', '"step "')), space, colon, space, stepValue, space).map((p) => p.join(''));
const objectLine = fc
  .tuple(
    space,
    fc.array(member, { maxLength: 5 }),
    mostly(stepMember, fc.constant('')),
    fc.array(member, { maxLength: 3 }),
    mostly(fc.constantFrom(',', ', '), fc.constantFrom(';', ',,', ' ')),
    mostly(fc.constant('}'), fc.constantFrom('},', '} x', '', '}}')),
    space,
  )
  .map(([lead, before, step, after, sep, close, trail]) => `${lead}{${[...before, step, ...after].filter(Boolean).join(sep)}${close}${trail}`);
/** Real records, then cut or with one byte changed. */
const mutatedRecord = fc
  .tuple(fc.integer({ min: 0, max: 10_000_000 }), fc.nat(), fc.integer({ min: 0, max: 127 }), fc.constantFrom('cut', 'replace', 'insert', 'none'))
  .map(([step, at, byte, how]) => {
    const line = metricsRecord(step);
    const i = at % (line.length + 1);
    const ch = String.fromCharCode(byte);
    if (how === 'cut') return line.slice(0, i);
    if (how === 'replace') return line.slice(0, i) + ch + line.slice(i + 1);
    if (how === 'insert') return line.slice(0, i) + ch + line.slice(i);
    return line;
  });

describe('fastMetricsStep', () => {
  it('accepts the usual records with their step', () => {
    for (const step of [0, 1, 59, 60, 12345, 9_999_999]) expect(fast(metricsRecord(step))).toBe(step);
    expect(fast('{"step": 3, "loss": null, "lr": "NaN", "x": -0.5}\r')).toBe(3);
  });

  it('never accepts a line the full path rejects, and agrees on the step (generated objects)', () => {
    let accepted = 0;
    fc.assert(
      fc.property(objectLine, (line) => {
        const step = fast(line);
        if (step < 0) return true;
        accepted++;
        expect(fullPath(line)).toEqual({ ok: true, step });
        return true;
      }),
      { numRuns: 30_000 },
    );
    // The property means something only if the fast path said yes often enough.
    expect(accepted).toBeGreaterThan(300);
  });

  it('never accepts a line the full path rejects (records cut or with one byte changed)', () => {
    let accepted = 0;
    fc.assert(
      fc.property(mutatedRecord, (line) => {
        const step = fast(line);
        if (step < 0) return true;
        accepted++;
        expect(fullPath(line)).toEqual({ ok: true, step });
        return true;
      }),
      { numRuns: 30_000 },
    );
    expect(accepted).toBeGreaterThan(3000);
  });
});
