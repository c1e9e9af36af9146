import { isUtf8 } from 'node:buffer';
import { StringDecoder } from 'node:string_decoder';
import { none } from 'stream-chain/defs.js';
import { jsonVerifier } from 'stream-json/utils/verifier.js';
import { readFileOnce } from '../io/readFileOnce.js';
import { makeFinding } from '../makeFinding.js';
import { parseJsonTolerant } from '../parseJsonTolerant.js';
import { firstError, validators, type Validator } from '../validators.js';
import type { FileKind, FileContext } from './FileKind.js';

/** Documents up to this size are parsed and schema-checked in memory; larger ones are only verified as JSON, streaming. */
export const MAX_DOCUMENT_BYTES = 64 * 1024 * 1024;

const SCHEMAS: Record<string, Validator> = { 'config.json': validators.config, 'summary.json': validators.summary };

/** config.json and summary.json: parsed whole, then validated with their schema. */
export const jsonKind: FileKind = {
  name: 'json',
  async check(ctx) {
    const parts: Buffer[] = [];
    let kept = 0;
    let streaming: StreamingVerifier | undefined;
    const read = await readFileOnce(ctx.abs, (chunk) => {
      if (!streaming && kept + chunk.length <= MAX_DOCUMENT_BYTES) {
        parts.push(Buffer.from(chunk));
        kept += chunk.length;
        return;
      }
      // Too large to hold: hand what we kept and the rest to stream-json's constant-memory verifier.
      if (!streaming) {
        streaming = new StreamingVerifier();
        for (const p of parts.splice(0)) streaming.write(p);
      }
      streaming.write(chunk);
    });
    const record = { path: ctx.rel, run: ctx.run, size: read.size, sha256: read.sha256, mtimeMs: read.stat.mtimeMs, ino: read.stat.ino };
    const where = { run: ctx.run, path: ctx.rel };
    if (streaming) {
      const err = streaming.end();
      if (err) ctx.emit(makeFinding('json/invalid', { ...where, line: err.line, offset: err.offset }, `not valid JSON: ${err.message}`));
      return record;
    }
    checkDocument(Buffer.concat(parts, kept), ctx, SCHEMAS[ctx.rel.slice(ctx.rel.lastIndexOf('/') + 1)]);
    return record;
  },
};

function checkDocument(bytes: Buffer, ctx: FileContext, validate: Validator | undefined): void {
  const where = { run: ctx.run, path: ctx.rel };
  if (bytes.length === 0) {
    ctx.emit(makeFinding('json/invalid', { ...where, offset: 0 }, 'empty file (0 bytes): the write never completed'));
    return;
  }
  const nul = bytes.indexOf(0);
  if (nul !== -1) {
    ctx.emit(makeFinding('json/invalid', { ...where, line: lineAt(bytes, nul), offset: nul }, 'NUL bytes where data never reached the disk'));
    return;
  }
  if (!isUtf8(bytes)) {
    ctx.emit(makeFinding('encoding/invalid-utf8', { ...where, offset: firstBadUtf8(bytes) }, 'the document holds bytes that are not valid UTF-8', { action: 'quarantine-file' }));
    return;
  }
  const text = bytes.toString('utf8');
  const parsed = parseJsonTolerant(text);
  if (!parsed.ok) {
    const offset = parsed.position === undefined ? bytes.length : Buffer.byteLength(text.slice(0, parsed.position));
    const cut = offset >= bytes.length || /end of JSON input/i.test(parsed.error);
    const message = cut ? `cut short after ${bytes.length} bytes (${parsed.error})` : `not valid JSON: ${parsed.error}`;
    ctx.emit(makeFinding('json/invalid', { ...where, line: lineAt(bytes, offset), offset }, message));
    return;
  }
  if (parsed.nonfinite) ctx.emit(makeFinding('json/nonfinite-number', where, 'bare NaN/Infinity tokens (read as strings)'));
  if (validate && !validate(parsed.value)) {
    ctx.emit(makeFinding('json/schema', where, `unexpected shape: ${firstError(validate)}`));
  }
}

function lineAt(bytes: Buffer, offset: number): number {
  let line = 1;
  for (let i = bytes.indexOf(10); i !== -1 && i < offset; i = bytes.indexOf(10, i + 1)) line++;
  return line;
}

/** Offset of the first byte that does not start or continue a valid UTF-8 sequence (rare path: a plain walk). */
function firstBadUtf8(bytes: Buffer): number {
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i]!;
    const len = b < 0x80 ? 1 : b >= 0xc2 && b < 0xe0 ? 2 : b >= 0xe0 && b < 0xf0 ? 3 : b >= 0xf0 && b < 0xf5 ? 4 : 0;
    if (len === 0 || !isUtf8(bytes.subarray(i, i + len))) return i;
    i += len;
  }
  return bytes.length;
}

interface VerifierError extends Error {
  line: number;
  offset: number;
}

/** Wraps stream-json's verifier: strings in, the first error (with line and offset) out. */
class StreamingVerifier {
  private readonly verify = jsonVerifier();
  private readonly decoder = new StringDecoder('utf8');
  private error: VerifierError | undefined;

  write(chunk: Buffer): void {
    if (this.error) return;
    try {
      this.verify(this.decoder.write(chunk));
    } catch (err) {
      this.error = err as VerifierError;
    }
  }

  end(): VerifierError | undefined {
    if (!this.error) {
      try {
        this.verify(this.decoder.end());
        this.verify(none as unknown as string); // the flush signal of stream-chain's protocol
      } catch (err) {
        this.error = err as VerifierError;
      }
    }
    return this.error;
  }
}
