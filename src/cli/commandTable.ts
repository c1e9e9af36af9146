import type { ArgsOf, CommandName } from './options.js';

/** A command's body, loaded only when that command runs (start-up loads no other command's code). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Handler = (args: any) => Promise<void>;

export interface CommandEntry {
  name: CommandName;
  /** yargs' command string: the word and the positionals (`restore <snapshot> [dir]`). */
  usage: string;
  describe: string;
  load: () => Promise<Handler>;
}

/** Every command, in the order help lists them. Groups (`backups list`) share their first word. */
export const COMMAND_TABLE: CommandEntry[] = [
  { name: 'check', usage: 'check [dir]', describe: 'check every file of every run (read-only)', load: async () => (await import('./commands/check.js')).checkHandler },
  { name: 'repair', usage: 'repair [dir]', describe: 'mend what check found, after a verified backup (-n: dry run, -p: safe fixes, -y: all)', load: async () => (await import('./commands/repair.js')).repairHandler },
  { name: 'recover', usage: 'recover [dir]', describe: 'after a crash: check, apply the safe fixes (repair -p), and say what was mended and what was cut', load: async () => (await import('./commands/recover.js')).recoverHandler },
  { name: 'undo', usage: 'undo [dir]', describe: 'return to the exact bytes from before the last repair (finished or interrupted)', load: async () => (await import('./commands/undo.js')).undoHandler },
  { name: 'hook run', usage: 'run [files..]', describe: 'check the runs the given (staged) files belong to; what pre-commit calls', load: async () => (await import('./commands/hook.js')).hookRunHandler },
  { name: 'hook install', usage: 'install', describe: 'write a plain .git/hooks/pre-commit that runs trackio-fsck (for repositories without the pre-commit framework)', load: async () => (await import('./commands/hook.js')).hookInstallHandler },
  { name: 'hook uninstall', usage: 'uninstall', describe: 'remove the hook that install wrote (and put a chained hook back)', load: async () => (await import('./commands/hook.js')).hookUninstallHandler },
  { name: 'backup', usage: 'backup [dir]', describe: 'snapshot the data dir into BACKUPS/trackio_backup_YYYYMMDD_HHMMSS (UTC), verified, unchanged files hard-linked', load: async () => (await import('./commands/backup.js')).backupHandler },
  { name: 'backups list', usage: 'list', describe: 'snapshots with date, state and size (apparent, and on disk with hard links counted once)', load: async () => (await import('./commands/backups.js')).backupsListHandler },
  { name: 'backups verify', usage: 'verify [name]', describe: 're-hash one snapshot (or all) against its manifest; exit 4 when one is damaged', load: async () => (await import('./commands/backups.js')).backupsVerifyHandler },
  { name: 'backups prune', usage: 'prune', describe: 'keep the N newest snapshots and/or one per day, week, month (restic-style; always the newest verified one); remove the rest and leftovers of interrupted backups', load: async () => (await import('./commands/backups.js')).backupsPruneHandler },
  { name: 'backups diff', usage: 'diff <from> <to>', describe: 'files added, removed and changed between two snapshots (from their manifests: no data read)', load: async () => (await import('./commands/backups.js')).backupsDiffHandler },
  { name: 'restore', usage: 'restore <snapshot> [dir]', describe: 'verify a snapshot, move the current data aside (never deleted) and copy the snapshot in, verified', load: async () => (await import('./commands/restore.js')).restoreHandler },
  { name: 'du', usage: 'du [dir]', describe: 'disk space per run (metrics, artifacts, logs) or Trackio project (database, WAL, media, artifacts, parquet), quarantine and backups, largest first', load: async () => (await import('./commands/du.js')).duHandler },
  { name: 'compare', usage: 'compare <a> <b>', describe: 'compare two data dirs (the local one and an off-site copy or a snapshot), read-only: exit 0 equal, 4 they differ', load: async () => (await import('./commands/compare.js')).compareHandler },
  { name: 'merge', usage: 'merge <source> [dir]', describe: 'bring into DIR the rows and files B has and DIR lacks, after a verified backup (-n: dry run, -y: apply; undo reverts)', load: async () => (await import('./commands/merge.js')).mergeHandler },
  { name: 'manifest write', usage: 'write [dir]', describe: 'record the SHA-256 of every file of every run (a check pass that also records)', load: async () => (await import('./commands/manifestWrite.js')).manifestWriteHandler },
  { name: 'manifest verify', usage: 'verify [dir]', describe: 'hash every recorded file and compare (works on a copy, a moved dir or a backup snapshot)', load: async () => (await import('./commands/manifestVerify.js')).manifestVerifyHandler },
];

export const GROUPS: Record<string, string> = {
  hook: 'pre-commit hook: run the check on staged runs, or install/uninstall a plain git hook',
  backups: 'list, verify, prune or diff the snapshots in BACKUPS',
  manifest: 'SHA-256 manifests that sha256sum can check: write, verify',
};

/** The words a user can type first: commands, groups, and completion. */
export function topWords(): string[] {
  return [...new Set([...COMMAND_TABLE.map((c) => c.name.split(' ')[0]!), 'completion'])];
}

export type { ArgsOf };
