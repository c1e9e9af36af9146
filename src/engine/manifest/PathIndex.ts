/**
 * A set of path strings numbered 0, 1, 2, ... in the order added, kept outside the JavaScript heap:
 * ASCII paths as bytes in one growing buffer, found again through an open-addressing hash table of
 * ids. A Map of 500 000 path strings took ~145 bytes of heap a path, and V8 lets the heap grow to
 * about twice what is live before it collects, so the manifest of 100 000 runs alone pushed check
 * past 200 MB; here a path costs its length plus 12 bytes. A path with any other character (rare:
 * non-ASCII names, escaped bytes) is kept in a small Map beside it.
 */
export class PathIndex {
  private bytes: Buffer;
  private used = 0;
  /** starts[id], ends[id]: where an ASCII path's bytes are; ends[id] = 0xffffffff for a path kept in `wide`. */
  private starts: Uint32Array;
  private ends: Uint32Array;
  private table: Int32Array;
  private readonly wide = new Map<string, number>();
  private readonly wideById = new Map<number, string>();
  count = 0;

  /**
   * Room for `paths` paths of `bytes` bytes in all, when known (an upper bound is fine: zeroed
   * pages that are never written take no memory), so the buffers are not grown by copying: every
   * copy left freed memory that the allocator kept.
   */
  constructor(hint: { paths?: number; bytes?: number } = {}) {
    const paths = Math.max(1024, hint.paths ?? 0);
    this.bytes = Buffer.alloc(Math.max(1 << 16, hint.bytes ?? 0));
    this.starts = new Uint32Array(paths);
    this.ends = new Uint32Array(paths);
    let slots = 2048;
    while (slots < paths * 2) slots *= 2;
    this.table = new Int32Array(slots).fill(-1);
  }

  /** The id of `path`, or -1. */
  get(path: string): number {
    const h = hashAscii(path);
    if (h < 0) return this.wide.get(path) ?? -1;
    const mask = this.table.length - 1;
    for (let slot = h & mask; ; slot = (slot + 1) & mask) {
      const id = this.table[slot]!;
      if (id === -1) return -1;
      if (this.equals(id, path)) return id;
    }
  }

  /** Adds a path not yet in the set (the caller checked with get); returns its id. */
  add(path: string): number {
    const id = this.count++;
    if (id === this.starts.length) {
      this.starts = grown(this.starts, id * 2);
      this.ends = grown(this.ends, id * 2);
    }
    const h = hashAscii(path);
    if (h < 0) {
      this.wide.set(path, id);
      this.wideById.set(id, path);
      this.starts[id] = 0;
      this.ends[id] = WIDE;
      return id;
    }
    if (this.used + path.length > this.bytes.length) {
      const more = Buffer.alloc(Math.max(this.bytes.length * 2, this.used + path.length));
      this.bytes.copy(more, 0, 0, this.used);
      this.bytes = more;
    }
    this.starts[id] = this.used;
    this.used += this.bytes.write(path, this.used, 'latin1');
    this.ends[id] = this.used;
    if ((this.count - this.wide.size) * 2 > this.table.length) this.rehash();
    else this.place(id, h);
    return id;
  }

  /**
   * Adds the path held as bytes in `buf[start, end)`, every byte ASCII (the caller checked: the
   * manifest's usual line, read without making a string of it). Returns its new id, or -1 - the id
   * it already had.
   */
  addAscii(buf: Uint8Array, start: number, end: number): number {
    const h = hashBytes(buf, start, end);
    const mask = this.table.length - 1;
    let slot = h & mask;
    for (let id = this.table[slot]!; id !== -1; slot = (slot + 1) & mask, id = this.table[slot]!) {
      if (this.equalsBytes(id, buf, start, end)) return -1 - id;
    }
    const id = this.count++;
    if (id === this.starts.length) {
      this.starts = grown(this.starts, id * 2);
      this.ends = grown(this.ends, id * 2);
    }
    const length = end - start;
    if (this.used + length > this.bytes.length) {
      const more = Buffer.alloc(Math.max(this.bytes.length * 2, this.used + length));
      this.bytes.copy(more, 0, 0, this.used);
      this.bytes = more;
    }
    this.starts[id] = this.used;
    const b = this.bytes;
    let at = this.used;
    for (let i = start; i < end; i++) b[at++] = buf[i]!;
    this.used = at;
    this.ends[id] = at;
    if ((this.count - this.wide.size) * 2 > this.table.length) this.rehash();
    else this.table[slot] = id;
    return id;
  }

  /** The id of the ASCII path in `buf[start, end)` (as addAscii takes it), or -1. */
  getAscii(buf: Uint8Array, start: number, end: number): number {
    const mask = this.table.length - 1;
    for (let slot = hashBytes(buf, start, end) & mask; ; slot = (slot + 1) & mask) {
      const id = this.table[slot]!;
      if (id === -1 || this.equalsBytes(id, buf, start, end)) return id;
    }
  }

  /** True when `id` is the ASCII path in `buf[start, end)` (a guess checked without hashing). */
  isAscii(id: number, buf: Uint8Array, start: number, end: number): boolean {
    return id < this.count && this.equalsBytes(id, buf, start, end);
  }

  /** The path with this id. */
  pathOf(id: number): string {
    const end = this.ends[id]!;
    return end === WIDE ? this.wideById.get(id)! : this.bytes.toString('latin1', this.starts[id], end);
  }

  private equals(id: number, path: string): boolean {
    const start = this.starts[id]!;
    const end = this.ends[id]!;
    if (end === WIDE || end - start !== path.length) return false;
    const b = this.bytes;
    for (let i = 0; i < path.length; i++) if (b[start + i] !== path.charCodeAt(i)) return false;
    return true;
  }

  private equalsBytes(id: number, buf: Uint8Array, start: number, end: number): boolean {
    const from = this.starts[id]!;
    if (this.ends[id]! - from !== end - start) return false;
    const b = this.bytes;
    for (let i = start, j = from; i < end; i++, j++) if (b[j] !== buf[i]) return false;
    return true;
  }

  private place(id: number, h: number): void {
    const mask = this.table.length - 1;
    let slot = h & mask;
    while (this.table[slot] !== -1) slot = (slot + 1) & mask;
    this.table[slot] = id;
  }

  private rehash(): void {
    this.table = new Int32Array(this.table.length * 2).fill(-1);
    for (let id = 0; id < this.count; id++) {
      if (this.ends[id] === WIDE) continue;
      this.place(id, hashBytes(this.bytes, this.starts[id]!, this.ends[id]!));
    }
  }
}

const WIDE = 0xffffffff;

function grown(a: Uint32Array, n: number): Uint32Array {
  const b = new Uint32Array(n);
  b.set(a);
  return b;
}

/** FNV-1a of an ASCII string, as a non-negative int; -1 when it holds any other character. */
function hashAscii(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 0x7f) return -1;
    h = Math.imul(h ^ c, 0x01000193);
  }
  return h >>> 1;
}

function hashBytes(b: Uint8Array, start: number, end: number): number {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) h = Math.imul(h ^ b[i]!, 0x01000193);
  return h >>> 1;
}
