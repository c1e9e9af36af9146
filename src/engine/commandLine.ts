/**
 * The one way a hint names a command to run: `trackio-fsck` and its words, each quoted for a POSIX
 * shell when it needs it, so a hint can be pasted as it is (paths with spaces, quotes, `$`).
 * Empty parts (undefined, false, '') are left out, so callers can write optional words inline.
 */
export function commandLine(...parts: Array<string | number | undefined | false | null>): string {
  return ['trackio-fsck', ...parts.filter((p): p is string | number => p !== undefined && p !== false && p !== null && p !== '').map((p) => shellQuote(String(p)))].join(' ');
}

/** A word as a POSIX shell reads it back: bare when safe, else in single quotes. */
export function shellQuote(word: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}
