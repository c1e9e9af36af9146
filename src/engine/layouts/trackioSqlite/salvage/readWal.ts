import { existsSync } from 'node:fs';
import { openDbFile } from './DbFile.js';

export interface WalPages {
  /** The newest committed image of each page the -wal holds. */
  pages: Map<number, Buffer>;
  /** Database size in pages after the last committed transaction (0: no commit applied). */
  dbSize: number;
  /** Frames applied (up to and including the last valid commit frame) and frames in the file. */
  applied: number;
  frames: number;
  /** Why reading stopped before the end of the file, if it did: a bad frame, a torn tail, a header that is not a WAL's. */
  stopped?: string;
}

const MAGIC_LE = 0x377f0682;
const MAGIC_BE = 0x377f0683;

/**
 * The committed frames of `<db>-wal`, as SQLite would replay them: the header's magic, version and
 * checksum must hold, then frame after frame while each frame's salts equal the header's and its
 * checksum continues the running checksum (big- or little-endian words, as the magic says). The
 * first bad frame ends the log; frames after the last commit frame (db size != 0) are an
 * unfinished transaction and are left out. A -wal of another page size is ignored whole.
 */
export function readWal(walPath: string, pageSize: number): WalPages | undefined {
  if (!existsSync(walPath)) return undefined;
  const file = openDbFile(walPath);
  try {
    const none = (stopped: string): WalPages => ({ pages: new Map(), dbSize: 0, applied: 0, frames: 0, stopped });
    const head = file.read(0, 32);
    if (head.length < 32) return none('shorter than a WAL header');
    const magic = head.readUInt32BE(0);
    if (magic !== MAGIC_LE && magic !== MAGIC_BE) return none('not a WAL header');
    const bigEndian = magic === MAGIC_BE;
    if (head.readUInt32BE(4) !== 3007000) return none('unknown WAL version');
    const walPageSize = head.readUInt32BE(8) === 1 ? 65536 : head.readUInt32BE(8);
    if (walPageSize !== pageSize) return none(`WAL page size ${walPageSize} is not the database's ${pageSize}`);
    const salt1 = head.readUInt32BE(16);
    const salt2 = head.readUInt32BE(20);
    let [s0, s1] = checksum(head, 0, 24, bigEndian, 0, 0);
    if (s0 !== head.readUInt32BE(24) || s1 !== head.readUInt32BE(28)) return none('WAL header checksum mismatch');
    const frameSize = 24 + pageSize;
    const frames = Math.floor((file.size - 32) / frameSize);
    const pending = new Map<number, Buffer>();
    const pages = new Map<number, Buffer>();
    let dbSize = 0;
    let applied = 0;
    let stopped: string | undefined;
    for (let i = 0; i < frames; i++) {
      const frame = file.read(32 + i * frameSize, frameSize);
      if (frame.length < frameSize) {
        stopped = `frame ${i + 1} is cut short`;
        break;
      }
      const pgno = frame.readUInt32BE(0);
      const commit = frame.readUInt32BE(4);
      if (frame.readUInt32BE(8) !== salt1 || frame.readUInt32BE(12) !== salt2) {
        stopped = `frame ${i + 1} belongs to an earlier log (salt)`;
        break;
      }
      [s0, s1] = checksum(frame, 0, 8, bigEndian, s0, s1);
      [s0, s1] = checksum(frame, 24, frameSize, bigEndian, s0, s1);
      if (s0 !== frame.readUInt32BE(16) || s1 !== frame.readUInt32BE(20) || pgno === 0) {
        stopped = `frame ${i + 1} fails its checksum`;
        break;
      }
      pending.set(pgno, Buffer.from(frame.subarray(24)));
      if (commit !== 0) {
        for (const [p, b] of pending) pages.set(p, b);
        pending.clear();
        dbSize = commit;
        applied = i + 1;
      }
    }
    if (!stopped && (file.size - 32) % frameSize !== 0) stopped = 'a torn frame at the end';
    if (!stopped && pending.size > 0) stopped = 'an uncommitted transaction at the end';
    return { pages, dbSize, applied, frames, ...(stopped ? { stopped } : {}) };
  } finally {
    file.close();
  }
}

/** SQLite's WAL checksum over buf[from, to) (a multiple of 8 bytes), continuing from (s0, s1). */
export function checksum(buf: Buffer, from: number, to: number, bigEndian: boolean, s0: number, s1: number): [number, number] {
  let a = s0 >>> 0;
  let b = s1 >>> 0;
  for (let i = from; i < to; i += 8) {
    const x = bigEndian ? buf.readUInt32BE(i) : buf.readUInt32LE(i);
    const y = bigEndian ? buf.readUInt32BE(i + 4) : buf.readUInt32LE(i + 4);
    a = (a + x + b) >>> 0;
    b = (b + y + a) >>> 0;
  }
  return [a, b];
}
