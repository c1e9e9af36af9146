import { isUtf8 } from 'node:buffer';
import { readFileOnce } from '../../../fs/readFileOnce.js';
import { makeFinding } from '../../../makeFinding.js';
import { parseJsonTolerant } from '../../../parseJsonTolerant.js';
import { firstError, validators, type Validator } from '../../../validators.js';
import type { FileContext, FileKind, FileScan } from './FileKind.js';

/** Documents up to this size are parsed and schema-checked in memory; larger ones are only verified as JSON, streaming. */
export const MAX_DOCUMENT_BYTES = 64 * 1024 * 1024;

/** TRACKIO_FSCK_MAX_DOCUMENT_BYTES lowers the limit, so tests reach the streaming path without writing 64 MiB. */
function maxDocumentBytes(): number {
  const n = Number(process.env.TRACKIO_FSCK_MAX_DOCUMENT_BYTES);
  return Number.isSafeInteger(n) && n > 0 ? n : MAX_DOCUMENT_BYTES;
}

const schemaOf = (name: string): Validator | undefined => (name === 'config.json' ? validators.config : name === 'summary.json' ? validators.summary : undefined);

// stream-json is loaded by the first JSON document checked, not at start-up (see StreamingVerifier).
type Streaming = { jsonVerifier: typeof import('stream-json/utils/verifier.js').jsonVerifier; none: unknown };
let streamingLib: Streaming | undefined;
async function loadStreaming(): Promise<Streaming> {
  if (!streamingLib) {
    const [{ jsonVerifier }, { none }] = await Promise.all([import('stream-json/utils/verifier.js'), import('stream-chain/defs.js')]);
    streamingLib = { jsonVerifier, none };
  }
  return streamingLib;
}

/** config.json and summary.json: parsed whole, then validated with their schema. */
export const jsonKind: FileKind = {
  name: 'json',
  async check(ctx) {
    const lib = await loadStreaming();
    const scan = scanDocument(ctx, lib);
    return scan.finish(await readFileOnce(ctx.abs, (chunk) => scan.push(chunk)));
  },
  begin(ctx) {
    return streamingLib ? scanDocument(ctx, streamingLib) : undefined;
  },
  async prepare() {
    await loadStreaming();
  },
};

/** The document's chunks are kept (copied) and checked at the end; past the size limit they go to the streaming verifier instead. */
function scanDocument(ctx: FileContext, lib: Streaming): FileScan {
  // The push callback is synchronous and may need the verifier mid-file (a document that grows past the limit).
  const parts: Buffer[] = [];
  let kept = 0;
  let streaming: StreamingVerifier | undefined;
  const limit = maxDocumentBytes();
  return {
    push(chunk) {
      if (!streaming && kept + chunk.length <= limit) {
        parts.push(Buffer.from(chunk));
        kept += chunk.length;
        return;
      }
      // Too large to hold: hand what we kept and the rest to stream-json's constant-memory verifier.
      if (!streaming) {
        streaming = new StreamingVerifier(lib);
        for (const p of parts.splice(0)) streaming.write(p);
      }
      streaming.write(chunk);
    },
    finish(read) {
      const record = { path: ctx.rel, run: ctx.run, size: read.size, sha256: read.sha256, mtimeMs: read.stat.mtimeMs, ino: read.stat.ino };
      const where = { run: ctx.run, path: ctx.rel };
      if (streaming) {
        const err = streaming.end();
        if (err?.kind === 'utf8') {
          ctx.emit(makeFinding('encoding/invalid-utf8', { ...where, offset: err.offset }, 'the document holds bytes that are not valid UTF-8', { action: 'quarantine-file' }));
        } else if (err) {
          const message = err.cut ? `cut short after ${read.size} bytes (${err.message})` : `not valid JSON: ${err.message}`;
          ctx.emit(makeFinding('json/invalid', { ...where, line: err.line, offset: err.offset }, message));
        }
        return record;
      }
      checkDocument(parts.length === 1 ? parts[0]! : Buffer.concat(parts, kept), ctx, schemaOf(ctx.rel.slice(ctx.rel.lastIndexOf('/') + 1)));
      return record;
    },
  };
}

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

type StreamingError = { kind: 'utf8'; offset: number } | { kind: 'json'; line: number; offset: number; message: string; cut: boolean };

/**
 * Verifies a document too large to hold, in constant memory: UTF-8 checked here, JSON syntax by
 * stream-json's verifier. The verifier is fed latin1 text (one character per byte), so the
 * offsets it reports are byte offsets; JSON's syntax is all ASCII, so nothing else changes.
 */
class StreamingVerifier {
  private readonly verify: ReturnType<Streaming['jsonVerifier']>;
  private error: StreamingError | undefined;
  private offset = 0; // file offset of the next byte written
  private pending: Buffer = Buffer.alloc(0); // an unfinished UTF-8 sequence carried to the next chunk

  constructor(private readonly lib: Streaming) {
    this.verify = lib.jsonVerifier();
  }

  write(chunk: Buffer): void {
    if (this.error) return;
    const base = this.offset - this.pending.length;
    this.offset += chunk.length;
    const bytes = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    const whole = bytes.length - unfinishedUtf8Tail(bytes);
    if (!isUtf8(bytes.subarray(0, whole))) {
      this.error = { kind: 'utf8', offset: base + firstBadUtf8(bytes.subarray(0, whole)) };
      return;
    }
    this.pending = Buffer.from(bytes.subarray(whole));
    this.feed(chunk.toString('latin1'), false);
  }

  end(): StreamingError | undefined {
    if (!this.error && this.pending.length) this.error = { kind: 'utf8', offset: this.offset - this.pending.length };
    // the flush signal of stream-chain's protocol: an error now means the input ended too soon
    if (!this.error) this.feed(this.lib.none as string, true);
    return this.error;
  }

  private feed(text: string, atEnd: boolean): void {
    try {
      this.verify(text);
    } catch (err) {
      const e = err as Error & { line: number; offset: number };
      this.error = { kind: 'json', line: e.line, offset: e.offset, message: e.message.replace(/^ERROR at \d+ \(\d+, \d+\): /, ''), cut: atEnd };
    }
  }
}

/** How many bytes at the end of `bytes` start a UTF-8 sequence that is not finished yet (0 to 3). */
function unfinishedUtf8Tail(bytes: Buffer): number {
  for (let back = 1; back <= Math.min(3, bytes.length); back++) {
    const b = bytes[bytes.length - back]!;
    if ((b & 0xc0) === 0x80) continue; // a continuation byte: look further back for the lead
    const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    return need > back ? back : 0;
  }
  return 0;
}
