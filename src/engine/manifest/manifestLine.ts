import { decodePathBytes } from '../fs/pathBytes.js';
import { isSafeRelPath } from '../fs/safePath.js';
import { plainLine } from './plainLine.js';
import { parseSha256sumLine } from './sha256sumLine.js';

export type ManifestLine = { kind: 'ok'; sha256: string; path: string } | { kind: 'malformed'; text: string } | { kind: 'unsafe'; path: string };

/** One line of manifest-sha256.txt (without its '\n') judged: an entry, a line that is not a sha256sum line, or a path outside the data dir. */
export function manifestLine(buf: Buffer, start: number, end: number): ManifestLine {
  if (end > start && buf[end - 1] === 13) end--; // CR LF: a manifest saved by a Windows editor, as sha256sum -c accepts
  let parsed = plainLine(buf, start, end);
  let text: string | undefined;
  if (!parsed) {
    text = decodePathBytes(buf.subarray(start, end));
    parsed = parseSha256sumLine(text);
  }
  if (!parsed) return { kind: 'malformed', text: text! };
  if (!isSafeRelPath(parsed.path)) return { kind: 'unsafe', path: parsed.path };
  return { kind: 'ok', sha256: parsed.sha256, path: parsed.path };
}
