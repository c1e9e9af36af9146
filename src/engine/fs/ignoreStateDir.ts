import { lstat } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from './writeFileAtomic.js';

/** What git must never take from trackio-fsck's own folder: everything, this file included. */
export const STATE_GITIGNORE = "# trackio-fsck's own state (manifest record, lock, pre-repair backups): never data, never committed\n*\n";

/**
 * Writes DIR/.trackio-fsck/.gitignore (`*`) into a state folder just created, so `git add .trackio` does not stage
 * the pre-repair backups (which hold the damaged bytes on purpose) or the lock. Called by every path
 * that creates the state folder (never on an existing one: a command that is refused changes nothing);
 * an existing file, whatever it says, is kept.
 */
export async function ignoreStateDir(stateDir: string): Promise<void> {
  const path = join(stateDir, '.gitignore');
  if (await lstat(path).then(() => true, () => false)) return;
  await writeFileAtomic(path, STATE_GITIGNORE);
}
