// metrics.jsonl lines shaped like real writers' output, for the check bench: Python's json.dumps
// (default separators ", " and ": ", exponents such as 3e-05 and 1e+20, isoformat() timestamps
// with +00:00, bare NaN/Infinity when a loss diverges), orjson (compact, 3e-5), media objects,
// and a mix of all of them. Each shape is valid data (bare NaN is a warning, not damage).
import { writeLines } from './bigMetrics.mjs';

const FRACTIONS = Array.from({ length: 60 }, (_, s) => String((s * 16_661) % 1_000_000).padStart(6, '0'));
const SECONDS = Array.from({ length: 60 }, (_, s) => String(s).padStart(2, '0'));
/** Learning rates as Python's repr writes them (json.dumps uses repr for floats). */
const LRS = ['3e-05', '2.9999e-05', '1e-05', '5e-06', '0.0001', '7.5e-05'];
const LRS_ORJSON = ['3e-5', '2.9999e-5', '1e-5', '5e-6', '0.0001', '7.5e-5'];

/** What Python's isoformat() of an aware UTC datetime gives (orjson writes the same). */
const isoformat = (step) => `2026-01-01T10:${SECONDS[(step >> 6) % 60]}:${SECONDS[step % 60]}.${FRACTIONS[step % 60]}+00:00`;
const loss = (step) => Math.round((2.5 / (step + 1)) * 1e6) / 1e6;

export const SHAPES = {
  /** json.dumps with default separators: ", " and ": ", exponents, +00:00. */
  dumps: (step) => `{"step": ${step}, "timestamp": "${isoformat(step)}", "loss": ${loss(step)}, "lr": ${LRS[step % 6]}, "grad_norm": ${((step % 977) / 97).toFixed(4)}}`,
  /** orjson: compact, shortest exponents. */
  orjson: (step) => `{"step":${step},"timestamp":"${isoformat(step)}","loss":${loss(step)},"lr":${LRS_ORJSON[step % 6]},"grad_norm":${((step % 977) / 97).toFixed(4)}}`,
  /** Exponents everywhere: Python's 1e+20, others' upper-case E. */
  exponents: (step) => `{"step": ${step}, "timestamp": "${isoformat(step)}", "lr": ${LRS[step % 6]}, "tokens": ${(step % 9) + 1}.5e+20, "eps": -2.5E-7, "loss": ${loss(step)}}`,
  // Rare lines come every 7th step: 7 is prime to the mix's 5 shapes, so the mix has them too.
  /** json.dumps of a diverging run: a bare NaN on one line in seven, Infinity on another. */
  nan: (step) => `{"step": ${step}, "timestamp": "${isoformat(step)}", "loss": ${step % 7 === 0 ? 'NaN' : loss(step)}, "grad_norm": ${step % 7 === 3 ? 'Infinity' : '1.25'}}`,
  /** A media object (as Trackio logs an image) on one line in seven. */
  media: (step) =>
    step % 7 === 0
      ? `{"step": ${step}, "timestamp": "${isoformat(step)}", "image": {"_type": "trackio.image", "file_path": "bench/run-0/${step}/5f0c1e2a.png", "caption": null}, "loss": ${loss(step)}}`
      : `{"step": ${step}, "timestamp": "${isoformat(step)}", "loss": ${loss(step)}}`,
};
const ORDER = Object.keys(SHAPES);
SHAPES.mix = (step) => SHAPES[ORDER[step % ORDER.length]](step);

/** Appends lines of `shape` until the file holds at least `bytes`; returns { bytes, lines }. */
export function writeShapedMetrics(file, bytes, shape) {
  const line = SHAPES[shape];
  if (!line) throw new Error(`unknown line shape ${shape}`);
  return writeLines(file, bytes, line);
}
