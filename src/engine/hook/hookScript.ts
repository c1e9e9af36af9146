/** Marks a hook file as trackio-fsck's own: uninstall removes only files carrying it. */
export const HOOK_MARKER = '# trackio-fsck pre-commit hook';

/** Where install keeps a hook that was there before ours, beside it in the hooks directory. */
export const CHAINED_NAME = 'pre-commit.trackio-fsck-chained';

/**
 * Staged paths that can belong to a unit, as git pathspecs (the shell side of mapFilesToRuns): files
 * of a run, and a Trackio project's database (with its -wal), media and artifact blobs.
 */
export const UNIT_PATHSPECS = [':(glob)**/runs/*/**', ':(glob)**/*.db', ':(glob)**/*.db-wal', ':(glob)**/media/*/**', ':(glob)**/artifacts/*/**'];
const PATHSPECS = UNIT_PATHSPECS.map((p) => `'${p}'`).join(' ');

export interface HookScriptOptions {
  /** The Node.js that ran `hook install`. */
  node: string;
  /** The CLI file that ran `hook install` (bin/trackio-fsck.js). */
  bin: string;
  /** Run the previous hook (moved to CHAINED_NAME) first. */
  chained: boolean;
}

/** Quotes a string for POSIX sh. */
function shQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * The plain .git/hooks/pre-commit: POSIX sh, no dependency but git. A commit that touches no run
 * never starts Node. The CLI is found at the absolute path it was installed from, then on PATH,
 * then in the repository's node_modules/.bin; if none is there the commit is blocked with a message
 * saying so, because a hook that silently checks nothing is worse than none.
 */
export function hookScript(o: HookScriptOptions): string {
  const lines = [
    '#!/bin/sh',
    `${HOOK_MARKER} (installed by \`trackio-fsck hook install\`; \`trackio-fsck hook uninstall\` removes it).`,
    '# Checks the runs of trackio data dirs that the commit touches and blocks it when they are damaged.',
    '# Skip once with `git commit --no-verify`.',
    '',
  ];
  if (o.chained) {
    lines.push(
      '# The hook that was here before, kept beside this one and run first: if it fails, the commit fails.',
      `chained="$(dirname -- "$0")/${CHAINED_NAME}"`,
      'if [ -x "$chained" ]; then',
      '  "$chained" "$@" || exit $?',
      'fi',
      '',
    );
  }
  lines.push(
    `git diff --cached --quiet --diff-filter=ACMR -- ${PATHSPECS} && exit 0`,
    '',
    `NODE=${shQuote(o.node)}`,
    `BIN=${shQuote(o.bin)}`,
    'if [ -f "$BIN" ] && [ -x "$NODE" ]; then set -- "$NODE" "$BIN"',
    'elif [ -f "$BIN" ] && command -v node >/dev/null 2>&1; then set -- node "$BIN"',
    'elif command -v trackio-fsck >/dev/null 2>&1; then set -- trackio-fsck',
    'elif [ -x node_modules/.bin/trackio-fsck ]; then set -- node_modules/.bin/trackio-fsck',
    'else',
    '  echo "trackio-fsck: not found: $BIN is gone and there is no trackio-fsck on PATH or in node_modules/.bin." >&2',
    '  echo "trackio-fsck: commit blocked. Install trackio-fsck again, or remove this hook: $0" >&2',
    '  exit 1',
    'fi',
    `git diff --cached --name-only -z --diff-filter=ACMR -- ${PATHSPECS} | "$@" hook run --files0-from -`,
    '',
  );
  return lines.join('\n');
}
