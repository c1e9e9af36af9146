/**
 * A first look at the command line, before yargs: which words are positionals (not the values of
 * options) and which are flags. Pure, so the rules are tested without spawning the CLI.
 */
export interface Scanned {
  /** Positional words in order, including those after `--`. */
  words: string[];
  /** Flags as written (`--jsno`, `-x`, `--dest=B`), without their values. */
  flags: string[];
}

const NEGATIVE_NUMBER = /^-\d/;

/** `valueFlags`: the flags that take a value (`--dest`, `--keep`): the next word is theirs. */
export function scanArgv(argv: readonly string[], valueFlags: ReadonlySet<string>): Scanned {
  const words: string[] = [];
  const flags: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i]!;
    if (token === '--') {
      words.push(...argv.slice(i + 1));
      break;
    }
    if (token.length > 1 && token.startsWith('-') && !NEGATIVE_NUMBER.test(token)) {
      flags.push(token);
      const next = argv[i + 1];
      const takesNext = !token.includes('=') && valueFlags.has(token) && next !== undefined && next !== '--' && (!next.startsWith('-') || next === '-' || NEGATIVE_NUMBER.test(next));
      if (takesNext) i++;
      continue;
    }
    words.push(token);
  }
  return { words, flags };
}

/**
 * yargs drops the positionals after `--` (`repair -y -- DIR` then repaired $TRACKIO_DIR): move them
 * before it, so `--` only means "what follows is not an option". A word that looks like an option
 * is kept a path by a `./` in front (`-- -odd-name` is the folder ./-odd-name).
 */
export function moveAfterDoubleDash(argv: readonly string[]): string[] {
  const at = argv.indexOf('--');
  if (at === -1) return [...argv];
  const after = argv.slice(at + 1).map((w) => (w.startsWith('-') ? `./${w}` : w));
  return [...argv.slice(0, at), ...after];
}
