import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isUtf8 } from 'node:buffer';
import { metricsRecord } from '../../fixtures/build/dataDir.mjs';
import { SHAPES } from '../../bench/lib/lineShapes.mjs';
import { fastMetricsLine, fastMetricsStep, lastLineEnd, lastLineHadBareNonfinite } from '../../src/engine/layouts/runDirectory/kinds/fastMetricsStep.js';
import { parseJsonTolerant } from '../../src/engine/parseJsonTolerant.js';
import { validators } from '../helpers/engine.js';

// The byte-level fast path may only accept what the full path (parseJsonTolerant + the compiled
// schema) accepts, with the same step and the same bare-NaN verdict: if it ever accepted more, a
// damaged line would go unreported.
const validate = validators.metricsLine!;

type Verdict = { ok: true; step: unknown; nonfinite: boolean } | { ok: false };

function fullPath(line: string): Verdict {
  const parsed = parseJsonTolerant(line);
  if (!parsed.ok) return { ok: false };
  return validate(parsed.value) ? { ok: true, step: (parsed.value as { step: unknown }).step, nonfinite: parsed.nonfinite } : { ok: false };
}

/** The fast path's step, bytes >= 0x80 allowed when the line is valid UTF-8 (as the scanner knows of its blocks). */
function fast(line: string): number {
  const buf = Buffer.from(line, 'utf8');
  return fastMetricsStep(buf, 0, buf.length, isUtf8(buf));
}

/** What the fast path said about `line`, in fullPath's terms (undefined: it left the line to the full path). */
function fastVerdict(line: string): Verdict | undefined {
  const step = fast(line);
  return step < 0 ? undefined : { ok: true, step, nonfinite: lastLineHadBareNonfinite() };
}

/** Mostly `usual`, sometimes `odd`: lines near the fast path's edges. */
const mostly = <T,>(usual: fc.Arbitrary<T>, odd: fc.Arbitrary<T>) => fc.oneof({ weight: 6, arbitrary: usual }, { weight: 1, arbitrary: odd });

/** Pieces of JSON, valid and not, near the fast path's edges. */
const key = mostly(
  fc.constantFrom('"loss"', '"acc"', '"timestamp"', '"lr"'),
  fc.constantFrom('"step"', '""', '"__proto__"', '"a\\"b"', '"st\\u0065p"', '"café"', '"tab\there"', 'step', '"x\u007f"'),
);
/** Numbers as Python (3e-05, 1e+20), orjson (3e-5) and others (2.5E-7) write them, near the edge of finite. */
const exponentNumber = fc
  .tuple(
    fc.constantFrom('', '-'),
    fc.constantFrom('0', '1', '3', '2.5', '1.2345678901234567', '12', '0.0', '179'),
    fc.constantFrom('e', 'E'),
    fc.constantFrom('', '+', '-'),
    fc.oneof(fc.integer({ min: 0, max: 400 }).map(String), fc.constantFrom('05', '007', '0', '298', '299', '300', '306', '308', '309', '1000000', '')),
  )
  .map((p) => p.join(''));
/** Timestamps as writers format them: Z, ±HH:MM offsets, fractions of any length, and near misses. */
const timestampString = fc
  .tuple(
    fc.constantFrom('2026-01-01T10:30:00', '2024-02-29T23:59:59', '2026-12-31T00:00:00', '2023-02-29T10:30:00', '2026-01-01T10:30:60', '2026-01-01 10:30:00'),
    fc.constantFrom('', '.5', '.123', '.123456', '.123456789', '.', '.12a'),
    fc.constantFrom('', 'Z', 'z', '+00:00', '-05:30', '+23:59', '+24:00', '-00:60', '+0530', '+05', '+05:3', 'ZZ', ' '),
  )
  .map((p) => JSON.stringify(p.join('')));
/** Any JSON inside a media object, and some that is not JSON. */
const anyJson: fc.Arbitrary<string> = fc.letrec<{ v: string }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom('null', 'true', 'false', '0', '-1.5e3', '"x"', '"a\\"b"', '"\\u00e9"', '"\\ud83d"', '"caf\u00e9"', '"tab\there"', '"\\x"', '"\\u12G4"', '"\\u12"', 'NaN', '[1,]', 'nul', '01', '1e', '"un'),
    fc.array(tie('v'), { maxLength: 3 }).map((a) => `[${a.join(', ')}]`),
    fc.array(fc.tuple(fc.constantFrom('"a"', '"_type"', '"file_path"', '"\\u005ftype"', 'a'), tie('v')), { maxLength: 3 }).map((m) => `{${m.map(([k, x]) => `${k}: ${x}`).join(', ')}}`),
  ),
})).v;
/** Media objects as Trackio writes them, and near misses (no _type, a _type that is not a string, an escaped key). */
const mediaObject = fc
  .tuple(
    fc.constantFrom('"_type"', '"_type"', '"_type"', '"type"', '"_typ\\u0065"'),
    fc.constantFrom('"trackio.image"', '"trackio.table"', '""', '"\\u0041"', '1', 'null', '["x"]', 'NaN'),
    fc.array(fc.tuple(fc.constantFrom('"file_path"', '"caption"', '"width"', '"_type"', '"data"', '"__proto__"'), anyJson), { maxLength: 3 }),
    fc.constantFrom(', ', ','),
    fc.boolean(),
  )
  .map(([typeKey, typeValue, rest, sep, typeFirst]) => {
    const members = rest.map(([k, v]) => `${k}: ${v}`);
    const typed = `${typeKey}: ${typeValue}`;
    return `{${(typeFirst ? [typed, ...members] : [...members, typed]).join(sep)}}`;
  });
const value = mostly(
  fc.oneof(
    fc.integer({ min: -1e6, max: 1e6 }).map(String),
    fc.double({ noDefaultInfinity: true, noNaN: true }).map((d) => JSON.stringify(d)),
    fc.constantFrom('null', '"NaN"', '"Infinity"', '"-Infinity"', '0.5', '-0', '"2026-01-01T10:30:00.000Z"', '"2024-02-29T10:30:00Z"', '"2026-01-01T10:30:00.123456+00:00"'),
    fc.constantFrom('NaN', 'Infinity', '-Infinity'),
    exponentNumber,
    timestampString,
    mediaObject,
  ),
  fc.oneof(
    fc.constantFrom('007', '1.', '.5', '1e5', '1E-3', '-', '--1', '1.2.3', '0x10', 'nul', 'true', 'false', '-NaN', 'NaNx', 'Infinityy', '+Infinity', 'nan', '"nan"', '"text"', '""'),
    fc.constantFrom('"2026-01-01T10:30:00"', '"2026-02-29T10:30:00Z"', '"2026-13-01T00:00:00Z"', '"2026-01-01T24:00:00Z"', '"2026-01-01 10:30:00"', '"2026-01-01T10:30:00+01:00"', '"2026-01-01T23:59:60Z"', '"2026-01-01T10:30:00.Z"'),
    fc.constantFrom('{}', '{"_type": "image"}', '[1]', '[]', '{"_type": 1}', '{"_type": "a", "x": NaN}', '{"_type": "a", "x": [1, {"y": null}]}'),
    fc.bigInt({ min: 0n, max: 10n ** 320n }).map(String),
    anyJson,
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

/** Lines of `lines` the fast path accepts (30 000 tries), each checked against the full path: same verdict, same step. */
function acceptedAgreeing(lines: fc.Arbitrary<string>): number {
  let accepted = 0;
  fc.assert(
    fc.property(lines, (line) => {
      const verdict = fastVerdict(line);
      if (!verdict) return true;
      accepted++;
      expect(fullPath(line)).toEqual(verdict);
      return true;
    }),
    { numRuns: 30_000 },
  );
  return accepted;
}

describe('fastMetricsStep', () => {
  it('accepts the usual records with their step', () => {
    for (const step of [0, 1, 59, 60, 12345, 9_999_999]) expect(fast(metricsRecord(step))).toBe(step);
    expect(fast('{"step": 3, "loss": null, "lr": "NaN", "x": -0.5}\r')).toBe(3);
  });

  it('takes the lines real writers produce (json.dumps, orjson), with the step and the bare-NaN verdict of the full path', () => {
    const lines = [
      // Python json.dumps, default separators: exponents, isoformat() offsets, bare NaN, media objects.
      '{"step": 12, "timestamp": "2026-01-01T10:30:05.123456+00:00", "loss": 0.123, "lr": 3e-05, "tokens": 1e+20, "x": -2.5E-7}',
      '{"step": 13, "timestamp": "2026-01-01T10:30:05-05:30", "loss": NaN, "grad_norm": Infinity, "min": -Infinity}',
      '{"step": 14, "image": {"_type": "trackio.image", "file_path": "media/p/r/14/a.png", "caption": null, "size": [64, 64]}, "loss": 1.5}',
      '{"step": 15, "table": {"_type": "trackio.table", "_value": [{"a": 1, "b": "x\\"y"}], "meta": {"n": 1e400}}}',
      // orjson: compact, shortest exponents, raw UTF-8.
      '{"step":16,"timestamp":"2026-01-01T10:30:05.1+00:00","lr":3e-5,"big":1e20,"caption":{"_type":"trackio.text","text":"naïve ☕"}}',
      '{"step":17,"timestamp":1767263400.5,"val/損失":0.25}',
    ];
    for (const line of lines) {
      const full = fullPath(line);
      expect(full.ok, line).toBe(true);
      expect(fastVerdict(line), line).toEqual(full);
    }
  });

  it('never accepts a line the full path rejects, and agrees on the step (generated objects)', () => {
    const accepted = acceptedAgreeing(objectLine);
    // The property means something only if the fast path said yes often enough.
    expect(accepted).toBeGreaterThan(300);
  });

  it('never accepts a timestamp, media object or number the full path rejects (one member at a time)', () => {
    // One member per line, so each shape is tried often on its own, not drowned by an odd neighbour.
    const field = (width: number, min: number, max: number) =>
      fc.oneof({ weight: 4, arbitrary: fc.integer({ min, max }) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 10 ** width - 1 }) }).map((v) => String(v).padStart(width, '0'));
    const timestampLike = fc
      .tuple(field(4, 1896, 2104), field(2, 0, 13), field(2, 0, 32), fc.constantFrom('T', 't', ' '), field(2, 0, 25), field(2, 0, 61), field(2, 0, 61),
        fc.constantFrom('', '.', '.0', '.123456', '.12a'), fc.constantFrom('', 'Z', 'z', '+', '-'), field(2, 0, 25), fc.constantFrom(':', '', '::'), field(2, 0, 61))
      .map(([y, mo, d, sep, h, mi, sec, frac, sign, zh, zc, zm]) => JSON.stringify(`${y}-${mo}-${d}${sep}${h}:${mi}:${sec}${frac}${sign === '+' || sign === '-' ? `${sign}${zh}${zc}${zm}` : sign}`));
    const line = fc.oneof(
      fc.oneof(timestampLike, timestampString, exponentNumber).map((v) => `{"step": 7, "timestamp": ${v}}`),
      fc.oneof(mediaObject, anyJson, exponentNumber).map((v) => `{"step": 7, "m": ${v}}`),
    );
    const accepted = acceptedAgreeing(line);
    expect(accepted).toBeGreaterThan(5000);
  });

  it('never accepts a line the full path rejects (records cut or with one byte changed)', () => {
    const accepted = acceptedAgreeing(mutatedRecord);
    expect(accepted).toBeGreaterThan(3000);
  });

  it('takes every line shape the benchmark writes as real writers do (json.dumps, orjson, exponents, NaN, media, mix)', () => {
    for (const [shape, line] of Object.entries(SHAPES as Record<string, (step: number) => string>)) {
      for (let step = 0; step < 700; step++) {
        const text = line(step);
        const verdict = fastVerdict(text);
        expect(verdict, `${shape}: ${text}`).toBeDefined();
        expect(verdict, text).toEqual(fullPath(text));
      }
    }
  });

  it('finds the line end itself: on lines joined by newlines it accepts exactly the lines fastMetricsStep accepts, with their end', () => {
    const lines = fc.array(fc.oneof(objectLine, mutatedRecord, fc.constantFrom('', '\r', '{"step": 1}\r', '{"step": 2} ', '{"step": 3}')), { minLength: 1, maxLength: 6 });
    let accepted = 0;
    fc.assert(
      fc.property(lines, fc.boolean(), (ls, finalNewline) => {
        const buf = Buffer.from(ls.join('\n') + (finalNewline ? '\n' : ''), 'utf8');
        const utf8 = isUtf8(buf);
        for (let s = 0; s < buf.length; ) {
          const nl = buf.indexOf(0x0a, s);
          const e = nl === -1 ? buf.length : nl;
          const whole = fastMetricsStep(buf, s, e, utf8);
          const wholeNonfinite = lastLineHadBareNonfinite();
          const step = fastMetricsLine(buf, s, buf.length, utf8);
          expect(step).toBe(whole);
          if (step >= 0) {
            accepted++;
            expect(lastLineEnd()).toBe(e);
            expect(lastLineHadBareNonfinite()).toBe(wholeNonfinite);
          }
          s = e + 1;
        }
        return true;
      }),
      { numRuns: 5_000 },
    );
    expect(accepted).toBeGreaterThan(1000);
  });
});
