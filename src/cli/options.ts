import { DEFAULT_LIVE_WINDOW_MS } from '../engine/defaults.js';

/**
 * The one table of trackio-fsck's options. Each command's yargs builder, the validation of every
 * value, the TypeScript types of each command's arguments and the README's option tables
 * (`npm run docs:options`, compared by test/unit/cli.options.test.ts) are all made from it, so a
 * flag cannot be validated by one command and taken as NaN by another.
 */

export const COMMANDS = [
  'check',
  'repair',
  'recover',
  'undo',
  'backup',
  'backups list',
  'backups verify',
  'backups prune',
  'backups diff',
  'restore',
  'du',
  'manifest write',
  'manifest verify',
  'hook run',
  'hook install',
  'hook uninstall',
  'compare',
  'merge',
] as const;
export type CommandName = (typeof COMMANDS)[number];

/** What a value must be; every rule gives a one-line message and exit 16 when broken. */
export type Rule = 'seconds' | 'count' | 'path' | 'id' | 'none';

export interface OptionSpec {
  type: 'boolean' | 'string' | 'number';
  alias?: string;
  array?: boolean;
  default?: boolean | number | string;
  /** How the value is written in help and README (`--live-window S`). */
  value?: string;
  rule?: Rule;
  describe: string;
  /** A command that says it its own way. */
  describeFor?: Partial<Record<CommandName, string>>;
  /** Declared once at the top: every command takes it. */
  global?: boolean;
  commands: readonly CommandName[];
  /** Commands where the option must be given. */
  requiredFor?: readonly CommandName[];
  /** Options it cannot be given with. */
  conflicts?: readonly string[];
}

export const OPTIONS = {
  json: {
    type: 'boolean',
    default: false,
    global: true,
    commands: COMMANDS,
    describe: 'print one JSON document on stdout ({tool, version, command, exitCode, ...}; schemas/json/)',
  },
  quiet: {
    type: 'boolean',
    alias: 'q',
    default: false,
    global: true,
    commands: COMMANDS,
    describe: 'print only problems (nothing when all is well; the exit code still tells)',
  },
  color: {
    type: 'boolean',
    global: true,
    commands: COMMANDS,
    describe: 'colour on or off (default: on when stdout is a terminal, off for NO_COLOR, FORCE_COLOR=0 or TERM=dumb)',
  },
  run: {
    type: 'string',
    array: true,
    value: 'ID',
    rule: 'id',
    commands: ['check', 'repair', 'recover', 'manifest write', 'restore'],
    describe: 'check only this run (repeatable)',
    describeFor: {
      repair: 'repair only this run (repeatable)',
      recover: 'recover only this run (repeatable)',
      'manifest write': 'update only this run (repeatable); other entries are kept',
      restore: "restore only this run (runs/ID), or in Trackio's layout one project's database; the rest is not touched, the old version moves to quarantine/",
    },
  },
  strict: {
    type: 'boolean',
    default: false,
    commands: ['check', 'manifest write', 'manifest verify', 'hook run'],
    describe: 'warnings count as errors for the exit code',
    describeFor: { 'hook run': 'warnings block the commit too' },
  },
  'live-window': {
    type: 'number',
    default: DEFAULT_LIVE_WINDOW_MS / 1000,
    value: 'S',
    rule: 'seconds',
    commands: ['check', 'repair', 'recover', 'manifest write', 'hook run', 'restore'],
    describe: 'seconds: a run without summary.json changed this recently is live (0: off)',
    describeFor: { 'hook run': 'seconds: a run without summary.json changed this recently is live and never blocks (0: off)' },
  },
  verbose: {
    type: 'boolean',
    alias: 'v',
    default: false,
    commands: ['check', 'manifest write', 'manifest verify'],
    describe: 'also list info findings',
    describeFor: { 'manifest verify': 'also list info findings (appended, new files)' },
  },
  full: {
    type: 'boolean',
    default: false,
    commands: ['check'],
    describe: 'SQLite databases: PRAGMA integrity_check instead of quick_check (slower, also checks indexes)',
  },
  fast: {
    type: 'boolean',
    default: false,
    commands: ['check', 'manifest write'],
    describe: "skip files whose size, mtime and inode match the manifest's record (git-index style)",
    describeFor: { 'manifest write': 'do not re-read files whose size, mtime and inode are those recorded' },
  },
  'dry-run': {
    type: 'boolean',
    alias: 'n',
    commands: ['repair', 'backups prune', 'merge'],
    conflicts: ['preen', 'yes'],
    describe: 'show the plan, change nothing (exit 4 when there is something to mend)',
    describeFor: { 'backups prune': 'say what would be removed, remove nothing', merge: 'show what would be brought in, change nothing (exit 4 when B has something DIR lacks)' },
  },
  preen: {
    type: 'boolean',
    alias: 'p',
    commands: ['repair'],
    conflicts: ['yes'],
    describe: 'apply only the fixes that lose no information',
  },
  yes: {
    type: 'boolean',
    alias: 'y',
    commands: ['repair', 'restore', 'merge'],
    describe: 'apply every fix without asking',
    describeFor: { restore: 'do not ask (for scripts)', merge: 'merge without asking' },
  },
  force: {
    type: 'boolean',
    default: false,
    commands: ['repair', 'recover', 'undo', 'backup', 'restore', 'merge'],
    describe: 'also repair live runs, and take the lock from another repair',
    describeFor: {
      undo: 'also restore files changed after the repair (their current bytes are kept), and take the lock from another repair',
      backup: 'snapshot even while a repair holds the data dir',
      restore: 'restore even while other processes hold files of the data dir open',
      merge: 'also merge into live runs and projects, and take the lock from another repair',
    },
  },
  'backup-dir': {
    type: 'string',
    value: 'PATH',
    rule: 'path',
    commands: ['repair', 'recover', 'merge'],
    describe: 'where the pre-repair backup goes (default DIR/.trackio-fsck/repairs/<id>/)',
  },
  backups: {
    type: 'string',
    value: 'BACKUPS',
    rule: 'path',
    commands: ['repair', 'recover'],
    describe: 'snapshots to heal from (restore-from-backup, when the manifest vouches for a copy; a database salvage takes the rows it cannot read from the newest verified copy; default ./trackio_backups, as backup --dest)',
  },
  dest: {
    type: 'string',
    value: 'BACKUPS',
    rule: 'path',
    commands: ['backup', 'backups list', 'backups verify', 'backups prune', 'backups diff', 'restore', 'du'],
    describe: 'the folder holding snapshots (default $TRACKIO_FSCK_BACKUPS, else trackio_backups beside the data dir)',
    describeFor: {
      restore: 'where a snapshot name is looked up (default $TRACKIO_FSCK_BACKUPS, else trackio_backups beside the data dir)',
      du: 'BACKUPS to measure (default $TRACKIO_FSCK_BACKUPS, else trackio_backups beside the data dir)',
    },
  },
  keep: {
    type: 'number',
    value: 'N',
    rule: 'count',
    commands: ['backup', 'backups prune'],
    describe: 'after a successful backup, keep only the N newest snapshots (backups prune --keep N)',
    describeFor: { 'backups prune': 'keep the N newest snapshots (by the time in their names)' },
  },
  'keep-daily': {
    type: 'number',
    value: 'N',
    rule: 'count',
    commands: ['backup', 'backups prune'],
    describe: 'keep the newest snapshot of each of the N most recent days that have one (UTC)',
  },
  'keep-weekly': {
    type: 'number',
    value: 'N',
    rule: 'count',
    commands: ['backup', 'backups prune'],
    describe: 'keep the newest snapshot of each of the N most recent ISO weeks that have one',
  },
  'keep-monthly': {
    type: 'number',
    value: 'N',
    rule: 'count',
    commands: ['backup', 'backups prune'],
    describe: 'keep the newest snapshot of each of the N most recent months that have one',
  },
  'files0-from': {
    type: 'string',
    value: 'FILE',
    commands: ['hook run'],
    // No rule: a lone '-' (stdin) reaches us as ''.
    describe: "read NUL-separated file names from this file ('-': stdin), as `git diff -z` prints them",
  },
  chain: {
    type: 'boolean',
    default: false,
    commands: ['hook install'],
    describe: 'if a pre-commit hook exists, keep it (as pre-commit.trackio-fsck-chained) and run it first',
  },
} as const satisfies Record<string, OptionSpec>;

export type OptionName = keyof typeof OPTIONS;

export interface PositionalSpec {
  type: 'string';
  array?: boolean;
  required?: boolean;
  rule?: Rule;
  value: string;
  describe: string;
  describeFor?: Partial<Record<CommandName, string>>;
  commands: readonly CommandName[];
}

/** Positionals, in the order each command takes them. */
export const POSITIONALS = {
  snapshot: {
    type: 'string',
    required: true,
    rule: 'path',
    value: 'SNAPSHOT',
    commands: ['restore'],
    describe: 'snapshot name in BACKUPS, or its path',
  },
  // Before dir: positionals are taken in this order (merge <source> [dir]).
  source: {
    type: 'string',
    required: true,
    rule: 'path',
    value: 'B',
    commands: ['merge'],
    describe: 'the other copy to bring rows and files from (an off-site copy, a snapshot); only read',
  },
  dir: {
    type: 'string',
    rule: 'path',
    value: 'DIR',
    commands: ['check', 'repair', 'recover', 'undo', 'backup', 'du', 'manifest write', 'manifest verify', 'restore', 'merge'],
    describe: 'data dir (holds runs/) or a folder holding .trackio/ (default: $TRACKIO_DIR, else the nearest .trackio/ upward)',
    describeFor: {
      merge: 'data dir to merge into (default: the one check would find)',
      'manifest verify': 'folder holding manifest-sha256.txt, or a data dir to find as check does',
      restore: 'data dir to restore into (default: the one check would find)',
    },
  },
  name: {
    type: 'string',
    rule: 'path',
    value: 'NAME',
    commands: ['backups verify'],
    describe: 'snapshot name (default: every snapshot)',
  },
  files: {
    type: 'string',
    array: true,
    value: 'FILES',
    commands: ['hook run'],
    describe: 'staged file names, relative to the working directory',
  },
  from: {
    type: 'string',
    required: true,
    rule: 'path',
    value: 'FROM',
    commands: ['backups diff'],
    describe: 'the older snapshot name',
  },
  to: {
    type: 'string',
    required: true,
    rule: 'path',
    value: 'TO',
    commands: ['backups diff'],
    describe: 'the newer snapshot name',
  },
  a: {
    type: 'string',
    required: true,
    rule: 'path',
    value: 'A',
    commands: ['compare'],
    describe: 'first data dir (usually the local one)',
  },
  b: {
    type: 'string',
    required: true,
    rule: 'path',
    value: 'B',
    commands: ['compare'],
    describe: 'second data dir (the off-site copy, a snapshot)',
  },
} as const satisfies Record<string, PositionalSpec>;

type Spec = OptionSpec | PositionalSpec;
type ValueOf<S> = S extends { type: 'boolean' } ? boolean : S extends { type: 'number' } ? number : S extends { array: true } ? string[] : string;
type Given<S, C extends CommandName> = S extends { default: unknown } | { required: true }
  ? true
  : S extends { requiredFor: readonly (infer R)[] }
    ? C extends R
      ? true
      : false
    : false;
type Declared<T extends Record<string, Spec>, C extends CommandName> = {
  [K in keyof T as C extends T[K]['commands'][number] ? K : never]: Given<T[K], C> extends true ? ValueOf<T[K]> : ValueOf<T[K]> | undefined;
};

/** The parsed arguments of one command, as its handler receives them. */
export type ArgsOf<C extends CommandName> = Declared<typeof OPTIONS, C> & Declared<typeof POSITIONALS, C>;

export function optionsOf(command: CommandName, { global = false } = {}): Array<[OptionName, OptionSpec]> {
  return (Object.entries(OPTIONS) as Array<[OptionName, OptionSpec]>).filter(([, s]) => s.commands.includes(command) && (s.global ?? false) === global);
}

export function positionalsOf(command: CommandName): Array<[string, PositionalSpec]> {
  return (Object.entries(POSITIONALS) as Array<[string, PositionalSpec]>).filter(([, s]) => s.commands.includes(command));
}

export function describeOf(spec: Spec, command: CommandName | undefined): string {
  return (command && spec.describeFor?.[command]) || spec.describe;
}

/** A value the table's rule refuses: main.ts turns it into one line on stderr and exit 16. */
export class UsageError extends Error {}

const RULE_WANTS: Record<Rule, string> = {
  seconds: 'a number of seconds >= 0',
  count: 'a whole number >= 1',
  path: 'a path',
  id: 'a run id',
  none: 'a value',
};

/**
 * Checks one value against its option's rule and returns it in its type. yargs hands over a flag
 * given with no value as '' and one given twice as an array; both are refused here.
 */
export function coerceValue(flag: string, spec: Pick<OptionSpec, 'type' | 'array' | 'rule'>, raw: unknown): unknown {
  const rule = spec.rule ?? 'none';
  const wants = RULE_WANTS[rule];
  if (Array.isArray(raw) && !spec.array) throw new UsageError(`${flag} was given more than once`);
  if (spec.array) {
    const list = (Array.isArray(raw) ? raw : [raw]) as unknown[];
    if (list.length === 0) throw new UsageError(`${flag} needs a value (${wants})`);
    return list.map((v) => coerceValue(flag, { ...spec, array: false }, v));
  }
  if (spec.type === 'number') {
    if (typeof raw === 'number') return checkNumber(flag, rule, raw, String(raw));
    // Untyped, yargs gives a flag with no value after it as `true`.
    if (raw === true) throw new UsageError(`${flag} needs a value (${wants})`);
    const text = String(raw ?? '').trim();
    if (text === '') throw new UsageError(`${flag} needs a value (${wants})`);
    // Number('') is 0 and Number('0x10') is 16: only plain decimals are numbers here.
    if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) throw new UsageError(`${flag} takes ${wants}, not "${text}"`);
    return checkNumber(flag, rule, Number(text), text);
  }
  if (spec.type === 'string' && rule !== 'none') {
    const text = raw === undefined || raw === null ? '' : String(raw);
    if (text === '') throw new UsageError(`${flag} needs a value (${wants})`);
    return text;
  }
  return raw;
}

function checkNumber(flag: string, rule: Rule, n: number, text: string): number {
  if (!Number.isFinite(n)) throw new UsageError(`${flag} takes ${RULE_WANTS[rule]}, not "${text}"`);
  if (rule === 'seconds' && n < 0) throw new UsageError(`${flag} takes ${RULE_WANTS.seconds}, not ${text}`);
  if (rule === 'count' && (!Number.isInteger(n) || n < 1)) throw new UsageError(`${flag} takes ${RULE_WANTS.count}, not ${text}`);
  return n;
}

/** The message for a value flag given with nothing after it. */
export function needsValue(name: string): string {
  const spec = (OPTIONS as Record<string, OptionSpec>)[name];
  return `--${name} needs a value${spec?.rule ? ` (${RULE_WANTS[spec.rule]})` : ''}`;
}

/** Every option that takes a value (not a boolean), with its aliases: for the pre-parse in main.ts. */
export function valueFlags(): Set<string> {
  const out = new Set<string>();
  for (const [name, s] of Object.entries(OPTIONS) as Array<[string, OptionSpec]>) {
    if (s.type === 'boolean') continue;
    out.add(`--${name}`);
    if (s.alias) out.add(`-${s.alias}`);
  }
  return out;
}
