import { statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { FsckError } from '../errors.js';
import { findDataDir } from '../layouts/findDataDir.js';
import { EXIT } from '../report.js';
import { DEFAULT_BACKUPS_DIR } from './snapshotLayout.js';

/** The environment variable that names BACKUPS for every command, so a cron job and a shell agree. */
export const BACKUPS_ENV = 'TRACKIO_FSCK_BACKUPS';

export interface BackupsDirOptions {
  /** --dest (or repair's --backups), relative to cwd. */
  dest?: string;
  /** The data dir the command works on, when it has one (absolute). */
  dataDir?: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

/**
 * Where BACKUPS is, the same from any working folder: --dest when given, else $TRACKIO_FSCK_BACKUPS,
 * else `trackio_backups` beside the data dir (its parent folder holds both). Commands without a data
 * dir argument (backups list/verify/prune) find the data dir as check does. Never the working folder:
 * a cron job started elsewhere must find the same snapshots.
 */
export function resolveBackupsDir(options: BackupsDirOptions = {}): string {
  const cwd = options.cwd ?? process.cwd();
  const env = options.env ?? process.env;
  if (options.dest !== undefined && options.dest !== '') return resolve(cwd, options.dest);
  const fromEnv = env[BACKUPS_ENV];
  if (fromEnv) return resolve(cwd, fromEnv);
  let dataDir = options.dataDir;
  if (dataDir === undefined) {
    try {
      dataDir = findDataDir(undefined, { cwd, env }).dataDir;
    } catch {
      throw new FsckError(`no BACKUPS folder given and no data dir found to put it beside: use --dest DIR or set ${BACKUPS_ENV}`, EXIT.operational);
    }
  }
  return join(dirname(resolve(cwd, dataDir)), DEFAULT_BACKUPS_DIR);
}

/**
 * A BACKUPS that does not exist is an error for the commands that read it: a mistyped --dest, or a
 * cron job run with another $TRACKIO_FSCK_BACKUPS, must not report "0 snapshots: all intact".
 */
export function requireBackupsDir(backupsDir: string): string {
  let isDir = false;
  try {
    isDir = statSync(backupsDir).isDirectory();
  } catch {
    throw new FsckError(`BACKUPS folder ${backupsDir} does not exist: check --dest or $${BACKUPS_ENV} (trackio-fsck backup creates it)`, EXIT.operational);
  }
  if (!isDir) throw new FsckError(`BACKUPS ${backupsDir} is not a folder`, EXIT.operational);
  return backupsDir;
}
