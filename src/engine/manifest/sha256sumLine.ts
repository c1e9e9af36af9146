import { decodePathBytes } from '../fs/pathBytes.js';

/**
 * One line of a GNU coreutils `sha256sum` file: "<hex>  <path>". A name holding a backslash,
 * newline or CR is escaped (\\, \n, \r) and the line then starts with a backslash, exactly as
 * `sha256sum` writes it, so `sha256sum --strict -c` reads our manifests with no trackio-fsck installed.
 */
export function formatSha256sumLine(sha256: string, path: string): string {
  if (!/[\\\n\r]/.test(path)) return `${sha256}  ${path}\n`;
  const escaped = path.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
  return `\\${sha256}  ${escaped}\n`;
}

export interface Sha256sumEntry {
  sha256: string;
  path: string;
}

/** Parses one line (without its newline); undefined when it is not a sha256sum line. */
export function parseSha256sumLine(line: string): Sha256sumEntry | undefined {
  const escaped = line.startsWith('\\');
  const body = escaped ? line.slice(1) : line;
  const m = /^([0-9a-fA-F]{64}) [ *](.+)$/s.exec(body);
  if (!m) return undefined;
  let path = m[2]!;
  if (escaped) {
    let ok = true;
    path = path.replace(/\\(.)/g, (_, c: string) => {
      if (c === '\\') return '\\';
      if (c === 'n') return '\n';
      if (c === 'r') return '\r';
      ok = false;
      return c;
    });
    if (!ok || /\\$/.test(m[2]!.replace(/\\\\/g, ''))) return undefined;
  }
  return { sha256: m[1]!.toLowerCase(), path };
}

/**
 * The lines of a sha256sum file, its bytes decoded exactly (pathBytes: a name that is not valid
 * UTF-8 stays the same bytes). A CR before the newline is a line end (a manifest saved by a Windows
 * editor, which `sha256sum -c` accepts too), not part of the name: sha256sum writes a CR in a name
 * escaped, as `\r`.
 */
export function manifestLines(bytes: Uint8Array): string[] {
  const lines = decodePathBytes(bytes).split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  for (let i = 0; i < lines.length; i++) if (lines[i]!.endsWith('\r')) lines[i] = lines[i]!.slice(0, -1);
  return lines;
}
