import type { Finding } from '../finding.js';
import type { RecordEntry } from './RecordEntry.js';
import { PathIndex } from './PathIndex.js';

/** One recorded file: its manifest line, and the tool's record of it when that agrees. */
export interface ManifestEntry {
  /** Relative to the data dir, '/'-separated, checked by isSafeRelPath. */
  path: string;
  /** From manifest-sha256.txt: what `sha256sum -c` checks, and what trackio-fsck checks too. */
  sha256: string;
  /** 1-based line in manifest-sha256.txt. */
  line: number;
  /** The tool's record, only when it agrees with the line (same SHA-256). */
  record?: RecordEntry;
}

/** Hex digit value by character code (either case); other codes are never looked up (callers check first). */
const HEX = new Uint8Array(128);
for (let c = 0; c < 10; c++) HEX[48 + c] = c;
for (let c = 0; c < 6; c++) HEX[97 + c] = HEX[65 + c] = 10 + c;

const APPEND_ONLY = 1;
const LIVE = 2;
const RECORDED = 4;

/**
 * Every entry of a manifest, kept compact: the paths in a PathIndex (their row is their id),
 * the digests as 32 bytes each, the record's numbers in typed columns. A ManifestEntry object is
 * made only when asked for and dies young: 500 000 entries held as objects (each with its record,
 * a 64-character hex string and a path) took ~1 KB each, these ~130 bytes, off the heap (issue 15: check of
 * 100 000 runs under 200 MB). Rows are in manifest line order; iteration follows it.
 */
export class ManifestEntries implements ReadonlyMap<string, ManifestEntry> {
  private readonly rows: PathIndex;
  private cap = 0;
  private sha = Buffer.alloc(0);
  private lineNo = new Uint32Array(0);
  private sizes = new Float64Array(0);
  private mtimes = new Float64Array(0);
  private inos = new Float64Array(0);
  private lineCounts = new Float64Array(0);
  private flags = new Uint8Array(0);
  private readonly findings = new Map<number, Finding[]>();

  /** `hint`: at most this many entries of at most this many path bytes (a manifest's size gives both). */
  constructor(hint: { entries?: number; pathBytes?: number } = {}) {
    this.rows = new PathIndex({ paths: hint.entries, bytes: hint.pathBytes });
    if (hint.entries) this.grow(hint.entries);
  }

  get size(): number {
    return this.rows.count;
  }

  /** Adds a manifest line; false when the path is already there (the caller reports the repeat). */
  add(path: string, sha256: string, line: number): boolean {
    if (this.rows.get(path) !== -1) return false;
    const i = this.rows.count;
    if (i === this.cap) this.grow();
    this.rows.add(path);
    this.sha.write(sha256, i * 32, 32, 'hex');
    this.lineNo[i] = line;
    return true;
  }

  /**
   * `add` for the usual manifest line, straight from its bytes (no string made): the path's bytes
   * in `buf[pathStart, pathEnd)`, every one ASCII, and 64 hex digits at `shaAt` (the caller checked
   * both). False when the path is already there.
   */
  addAscii(buf: Uint8Array, pathStart: number, pathEnd: number, shaAt: number, line: number): boolean {
    const i = this.rows.count;
    if (i === this.cap) this.grow();
    if (this.rows.addAscii(buf, pathStart, pathEnd) < 0) return false;
    const sha = this.sha;
    for (let k = 0, at = i * 32; k < 32; k++) sha[at + k] = (HEX[buf[shaAt + 2 * k]!]! << 4) | HEX[buf[shaAt + 2 * k + 1]!]!;
    this.lineNo[i] = line;
    return true;
  }

  /**
   * The row of the ASCII path in `buf[start, end)`, or -1; `guess` is tried first (the record's
   * rows come in the manifest's order: the next row, as a rule).
   */
  rowOfAscii(buf: Uint8Array, start: number, end: number, guess: number): number {
    return this.rows.isAscii(guess, buf, start, end) ? guess : this.rows.getAscii(buf, start, end);
  }

  /** True when the row's digest is the 64 lowercase hex digits at `buf[at]` (no string made). */
  shaIsHex(row: number, buf: Uint8Array, at: number): boolean {
    const sha = this.sha;
    for (let k = 0, i = row * 32; k < 32; k++, i++) {
      const hi = buf[at + 2 * k]!;
      const lo = buf[at + 2 * k + 1]!;
      if (hi >= 128 || lo >= 128 || sha[i] !== ((HEX[hi]! << 4) | HEX[lo]!)) return false;
    }
    return true;
  }

  /** setRecord from the record's numbers (`bits`: 1 append-only, 2 live; `lines` -1 when unknown). */
  setRecordFields(row: number, size: number, mtimeMs: number, ino: number, bits: number, lines: number): void {
    this.sizes[row] = size;
    this.mtimes[row] = mtimeMs;
    this.inos[row] = ino;
    this.lineCounts[row] = lines;
    this.flags[row] = RECORDED | (bits & APPEND_ONLY ? APPEND_ONLY : 0) | (bits & LIVE ? LIVE : 0);
    this.findings.delete(row);
  }

  /** The row of a path, or undefined. */
  rowOf(path: string): number | undefined {
    const row = this.rows.get(path);
    return row === -1 ? undefined : row;
  }

  shaOf(row: number): string {
    return this.sha.toString('hex', row * 32, row * 32 + 32);
  }

  /** True when the row's digest is this hex string (no string made). */
  shaIs(row: number, sha256: string): boolean {
    return this.shaOf(row) === sha256;
  }

  lineOf(row: number): number {
    return this.lineNo[row]!;
  }

  /** Attaches the tool's record to a row (the caller checked that it agrees with the line). */
  setRecord(row: number, rec: RecordEntry): void {
    this.sizes[row] = rec.size;
    this.mtimes[row] = rec.mtimeMs;
    this.inos[row] = rec.ino;
    this.lineCounts[row] = rec.lines ?? -1;
    this.flags[row] = RECORDED | (rec.appendOnly ? APPEND_ONLY : 0) | (rec.live ? LIVE : 0);
    if (rec.findings && rec.findings.length > 0) this.findings.set(row, rec.findings);
    else this.findings.delete(row);
  }

  /** Forgets every record attached (a record found bad half-way vouches for nothing). */
  clearRecords(): void {
    this.flags.fill(0);
    this.findings.clear();
  }

  /** [path, row] in line order. */
  *rowEntries(): IterableIterator<[string, number]> {
    for (let row = 0; row < this.rows.count; row++) yield [this.rows.pathOf(row), row];
  }

  /** Bytes the record says the recorded files hold (0 for entries without a record). */
  recordedBytes(): number {
    let n = 0;
    for (let row = 0; row < this.rows.count; row++) if (this.flags[row]! & RECORDED) n += this.sizes[row]!;
    return n;
  }

  /** Row numbers, in line order. */
  *rowsInOrder(): IterableIterator<number> {
    for (let row = 0; row < this.rows.count; row++) yield row;
  }

  hasRecord(row: number): boolean {
    return (this.flags[row]! & RECORDED) !== 0;
  }

  recordOf(row: number): RecordEntry | undefined {
    const f = this.flags[row]!;
    if (!(f & RECORDED)) return undefined;
    const rec: RecordEntry = { sha256: this.shaOf(row), size: this.sizes[row]!, mtimeMs: this.mtimes[row]!, ino: this.inos[row]! };
    if (f & APPEND_ONLY) rec.appendOnly = true;
    if (f & LIVE) rec.live = true;
    const lines = this.lineCounts[row]!;
    if (lines >= 0) rec.lines = lines;
    const found = this.findings.get(row);
    if (found) rec.findings = found;
    return rec;
  }

  private entryAt(path: string, row: number): ManifestEntry {
    const entry: ManifestEntry = { path, sha256: this.shaOf(row), line: this.lineNo[row]! };
    const rec = this.recordOf(row);
    if (rec) entry.record = rec;
    return entry;
  }

  /** The entry of a row (from rowOf). */
  entryOfRow(row: number): ManifestEntry {
    return this.entryAt(this.rows.pathOf(row), row);
  }

  /** True when the row is recorded append-only; its recorded size then is `sizeOf`. */
  isAppendOnly(row: number): boolean {
    return (this.flags[row]! & (RECORDED | APPEND_ONLY)) === (RECORDED | APPEND_ONLY);
  }

  /** The recorded size of a row (0 without a record). */
  sizeOf(row: number): number {
    return this.flags[row]! & RECORDED ? this.sizes[row]! : 0;
  }

  get(path: string): ManifestEntry | undefined {
    const row = this.rows.get(path);
    return row === -1 ? undefined : this.entryAt(path, row);
  }

  has(path: string): boolean {
    return this.rows.get(path) !== -1;
  }

  *keys(): IterableIterator<string> {
    for (let row = 0; row < this.rows.count; row++) yield this.rows.pathOf(row);
  }

  *values(): IterableIterator<ManifestEntry> {
    for (const [path, row] of this.rowEntries()) yield this.entryAt(path, row);
  }

  *entries(): IterableIterator<[string, ManifestEntry]> {
    for (const [path, row] of this.rowEntries()) yield [path, this.entryAt(path, row)];
  }

  [Symbol.iterator](): IterableIterator<[string, ManifestEntry]> {
    return this.entries();
  }

  forEach(fn: (value: ManifestEntry, key: string, map: ReadonlyMap<string, ManifestEntry>) => void): void {
    for (const [path, entry] of this.entries()) fn(entry, path, this);
  }

  /** Paths in code-unit order (the order a manifest is written in): the line order when it already is, else sorted. */
  sortedPaths(): Iterable<string> {
    let prev: string | undefined;
    for (const path of this.keys()) {
      if (prev !== undefined && !(prev < path)) return [...this.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      prev = path;
    }
    return this.keys();
  }

  private grow(atLeast = 0): void {
    const cap = Math.max(1024, this.cap * 2, atLeast);
    const more = <T extends Float64Array | Uint32Array | Uint8Array>(old: T, make: (n: number) => T): T => {
      const next = make(cap);
      next.set(old);
      return next;
    };
    const sha = Buffer.alloc(cap * 32);
    this.sha.copy(sha);
    this.sha = sha;
    this.lineNo = more(this.lineNo, (n) => new Uint32Array(n));
    this.sizes = more(this.sizes, (n) => new Float64Array(n));
    this.mtimes = more(this.mtimes, (n) => new Float64Array(n));
    this.inos = more(this.inos, (n) => new Float64Array(n));
    this.lineCounts = more(this.lineCounts, (n) => new Float64Array(n));
    this.flags = more(this.flags, (n) => new Uint8Array(n));
    this.cap = cap;
  }
}
