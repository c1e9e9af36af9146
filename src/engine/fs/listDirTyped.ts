import { readdirSync, type Dirent } from 'node:fs';
import { decodePathBytes, fsPath } from './pathBytes.js';

export interface TypedDirEntry {
  name: string;
  type: 'dir' | 'file' | 'symlink' | 'other';
}

/**
 * A directory's entries with their types from the listing (Node lstats only where the file system
 * gives none), in code-unit order; names exact, as walkTree's readEntries reads them.
 */
export function listDirTyped(dirAbs: string): TypedDirEntry[] {
  const p = fsPath(dirAbs);
  const typed = (e: Dirent | Dirent<Buffer>, name: string): TypedDirEntry => ({ name, type: e.isDirectory() ? 'dir' : e.isFile() ? 'file' : e.isSymbolicLink() ? 'symlink' : 'other' });
  const fast = readdirSync(p, { withFileTypes: true });
  const out = fast.some((e) => e.name.includes('\ufffd'))
    ? readdirSync(p, { withFileTypes: true, encoding: 'buffer' }).map((e) => typed(e, decodePathBytes(e.name)))
    : fast.map((e) => typed(e, e.name));
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
