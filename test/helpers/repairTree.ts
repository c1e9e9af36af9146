import { createHash } from 'node:crypto';
import { cpSync, lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './cli.js';

/** Every entry below `root`: directories, link targets and the SHA-256 of every file's bytes. */
export function snapshot(root: string, skip: (rel: string) => boolean = () => false): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string, rel: string) => {
    for (const name of readdirSync(dir).sort()) {
      const r = rel ? `${rel}/${name}` : name;
      if (skip(r)) continue;
      const abs = join(dir, name);
      const st = lstatSync(abs);
      if (st.isSymbolicLink()) out[r] = `link:${readlinkSync(abs)}`;
      else if (st.isDirectory()) {
        out[r] = 'dir';
        walk(abs, r);
      } else out[r] = createHash('sha256').update(readFileSync(abs)).digest('hex');
    }
  };
  walk(root, '');
  return out;
}

/** A copy that keeps mtimes (so old runs do not look live) and links as links. */
export function copyTree(src: string, dst: string): void {
  cpSync(src, dst, { recursive: true, preserveTimestamps: true, verbatimSymlinks: true });
}

/** A copy of the data dir `src` as `<new temp dir>/trackio`, for one attempt of a sweep. */
export function copyToTemp(src: string): string {
  const dst = join(tempDir(), 'trackio');
  copyTree(src, dst);
  return dst;
}

export interface EditLike {
  kind: 'cut' | 'quarantine' | 'strip-nul' | 'insert';
  start: number;
  end: number;
  text?: string;
}

/**
 * An independent, in-memory oracle for what a rewrite must produce: the kept bytes, and the
 * quarantined bytes in file order.
 */
export function applyEditsInMemory(original: Buffer, edits: EditLike[]): { out: Buffer; quarantined: Buffer } {
  const out: Buffer[] = [];
  const q: Buffer[] = [];
  let pos = 0;
  for (const e of [...edits].sort((a, b) => a.start - b.start)) {
    out.push(original.subarray(pos, e.start));
    const range = original.subarray(e.start, e.end);
    if (e.kind === 'insert') out.push(Buffer.from(e.text ?? ''));
    else if (e.kind === 'quarantine') q.push(range);
    else if (e.kind === 'strip-nul') {
      const body = Buffer.from([...range].filter((b) => b !== 0));
      const onlyNewline = body.length === 1 && body[0] === 0x0a && range[range.length - 1] === 0x0a;
      if (!onlyNewline) out.push(body);
    }
    pos = e.kind === 'insert' ? e.start : e.end;
  }
  out.push(original.subarray(pos));
  return { out: Buffer.concat(out), quarantined: Buffer.concat(q) };
}
