import { createHash } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';
import { CHUNK_BYTES } from '../fs/readFileOnce.js';
import { FsckError } from '../errors.js';
import type { Edit, FileImage } from './RepairPlan.js';
import { CREATE_NOFOLLOW, READ_NOFOLLOW } from '../fs/safePath.js';
import { writeAll } from '../fs/writeAll.js';

export interface RewriteResult {
  post: FileImage;
  /** What was written to the quarantine file (when there is one). */
  quarantineImage?: FileImage;
  /** The quarantined bytes, in file order, each with its line and offset in the original. */
  quarantined: Array<{ line?: number; offset: number; bytes: number }>;
  /** The cut ranges (kept only in the backup), each with the start of its text for people to recognise. */
  cut: CutRange[];
}

export interface CutRange {
  line?: number;
  offset: number;
  bytes: number;
  preview: string;
}

const PREVIEW_BYTES = 60;

/**
 * Streams `src` through `edits` (sorted, disjoint, in src's coordinates) into `dst`, a new file,
 * and quarantined ranges into `quarantineDst`. The source is hashed as it is read and must be
 * exactly `pre`, so the result is derived from the very bytes the backup holds. Both outputs are
 * fsynced; nothing is renamed here. Memory: one chunk.
 */
export async function rewriteWithEdits(src: string, dst: string, quarantineDst: string | undefined, edits: Edit[], pre: FileImage, mode: number): Promise<RewriteResult> {
  const input = await open(src, READ_NOFOLLOW);
  const output = await open(dst, CREATE_NOFOLLOW, mode);
  const qout = quarantineDst ? await open(quarantineDst, CREATE_NOFOLLOW, 0o644) : undefined;
  const inHash = createHash('sha256');
  const outHash = createHash('sha256');
  let outSize = 0;
  const quarantined: RewriteResult['quarantined'] = [];
  const cut: CutRange[] = [];
  const qHash = createHash('sha256');
  let qSize = 0;
  const write = async (fh: FileHandle, bytes: Uint8Array, path: string) => {
    if (bytes.length === 0) return;
    await writeAll(fh, bytes, path);
  };
  const keep = async (bytes: Uint8Array) => {
    outHash.update(bytes);
    outSize += bytes.length;
    await write(output, bytes, dst);
  };
  try {
    const buf = Buffer.allocUnsafe(CHUNK_BYTES);
    let offset = 0;
    let e = 0;
    // strip-nul state: did the current range keep anything besides NULs (else its newline goes too)
    let keptInRange = false;
    for (;;) {
      const { bytesRead } = await input.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      const chunk = buf.subarray(0, bytesRead);
      inHash.update(chunk);
      const end = offset + bytesRead;
      let pos = offset;
      while (pos < end) {
        while (e < edits.length && (edits[e]!.kind === 'insert' ? edits[e]!.start < pos : edits[e]!.end <= pos)) e++;
        const edit = edits[e];
        if (edit && edit.kind === 'insert' && edit.start === pos) {
          await keep(Buffer.from(edit.text ?? ''));
          e++;
          continue;
        }
        if (!edit || edit.kind === 'insert' || edit.start > pos) {
          const stop = Math.min(end, edit ? edit.start : end);
          await keep(chunk.subarray(pos - offset, stop - offset));
          pos = stop;
          continue;
        }
        const stop = Math.min(end, edit.end);
        const piece = chunk.subarray(pos - offset, stop - offset);
        if (pos === edit.start) keptInRange = false;
        if (edit.kind === 'quarantine') {
          if (pos === edit.start) quarantined.push({ line: edit.line, offset: edit.start, bytes: edit.end - edit.start });
          qHash.update(piece);
          qSize += piece.length;
          await write(qout!, piece, quarantineDst!);
        } else if (edit.kind === 'cut') {
          if (pos === edit.start) cut.push({ line: edit.line, offset: edit.start, bytes: edit.end - edit.start, preview: '' });
          const last = cut[cut.length - 1]!;
          if (last.preview.length < PREVIEW_BYTES) last.preview += piece.subarray(0, PREVIEW_BYTES).toString('latin1');
        } else if (edit.kind === 'strip-nul') {
          await stripNul(piece, stop === edit.end, keep, () => keptInRange, () => (keptInRange = true));
        }
        pos = stop;
      }
      offset = end;
    }
    for (; e < edits.length; e++) if (edits[e]!.kind === 'insert' && edits[e]!.start === offset) await keep(Buffer.from(edits[e]!.text ?? ''));
    const sha256 = inHash.digest('hex');
    if (sha256 !== pre.sha256 || offset !== pre.size) {
      throw new FsckError(`${src} changed since the repair was planned (expected SHA-256 ${pre.sha256.slice(0, 12)}…, ${pre.size} bytes; found ${sha256.slice(0, 12)}…, ${offset} bytes)`);
    }
    await output.sync();
    await qout?.sync();
  } finally {
    await input.close();
    await output.close();
    await qout?.close();
  }
  return {
    post: { sha256: outHash.digest('hex'), size: outSize },
    ...(qout ? { quarantineImage: { sha256: qHash.digest('hex'), size: qSize } } : {}),
    quarantined, cut: cut.map((c) => ({ ...c, preview: c.preview.slice(0, PREVIEW_BYTES) })) };
}

/**
 * Keeps the non-NUL bytes of a piece of a strip-nul range. A line that held nothing but NULs goes
 * entirely, its newline too, or stripping it would leave a blank line behind.
 */
async function stripNul(piece: Buffer, isRangeEnd: boolean, keep: (b: Uint8Array) => Promise<void>, kept: () => boolean, markKept: () => void): Promise<void> {
  let body = piece;
  let newline = false;
  if (isRangeEnd && piece.length > 0 && piece[piece.length - 1] === 0x0a) {
    body = piece.subarray(0, piece.length - 1);
    newline = true;
  }
  let s = 0;
  while (s < body.length) {
    if (body[s] === 0) {
      s++;
      continue;
    }
    let t = body.indexOf(0, s);
    if (t === -1) t = body.length;
    await keep(body.subarray(s, t));
    markKept();
    s = t;
  }
  if (newline && kept()) await keep(Buffer.from('\n'));
}
