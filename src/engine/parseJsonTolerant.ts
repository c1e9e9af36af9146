/**
 * Python's json.dumps writes bare NaN, Infinity and -Infinity. They are not JSON, but they are what
 * real trackers write when a loss diverges, so they are read (as the strings Trackio itself uses)
 * and reported as a warning, never as corruption.
 */
export type TolerantResult = { ok: true; value: unknown; nonfinite: boolean } | { ok: false; error: string; position?: number };

export function parseJsonTolerant(text: string): TolerantResult {
  try {
    return { ok: true, value: JSON.parse(text), nonfinite: false };
  } catch (err) {
    if (text.includes('NaN') || text.includes('Infinity')) {
      const quoted = quoteNonFinite(text);
      if (quoted !== text) {
        try {
          return { ok: true, value: JSON.parse(quoted), nonfinite: true };
        } catch {
          // fall through: report the error of the original text
        }
      }
    }
    const message = (err as Error).message;
    const m = /position (\d+)/.exec(message);
    return { ok: false, error: message, position: m ? Number(m[1]) : undefined };
  }
}

/** Rewrites bare NaN/Infinity/-Infinity tokens outside strings as JSON strings. */
export function quoteNonFinite(text: string): string {
  let out = '';
  let last = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // skip the escaped character
      else if (c === 0x22) inString = false;
      continue;
    }
    if (c === 0x22) {
      inString = true;
      continue;
    }
    for (const token of ['NaN', 'Infinity', '-Infinity']) {
      if (text.startsWith(token, i) && !isIdentChar(text.charCodeAt(i + token.length))) {
        out += text.slice(last, i) + '"' + token + '"';
        i += token.length - 1;
        last = i + 1;
        break;
      }
    }
  }
  return last === 0 ? text : out + text.slice(last);
}

function isIdentChar(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f;
}
