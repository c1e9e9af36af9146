import { join } from 'node:path';
import { FsckError } from '../errors.js';
import type { Finding } from '../finding.js';
import { makeFinding } from '../makeFinding.js';
import { EXIT } from '../report.js';
import { TOOL, VERSION } from '../version.js';
import { findSnapshots } from './findSnapshots.js';
import { requireBackupsDir, resolveBackupsDir } from './resolveBackupsDir.js';
import { verifySnapshot, type SnapshotVerification } from './verifySnapshot.js';
import { commandLine } from '../commandLine.js';

export interface BackupsVerification {
  tool: string;
  version: string;
  command: 'backups verify';
  backupsDir: string;
  snapshots: SnapshotVerification[];
  /** Leftovers of interrupted backups (backup/incomplete), not verified. */
  findings: Finding[];
  summary: { snapshots: number; damaged: number; files: number; bytes: number; errors: number; warnings: number };
  /** 0 all intact, 4 a snapshot is damaged. */
  exitCode: number;
}

/** Verifies one snapshot (by name) or every snapshot in BACKUPS, recording each outcome. */
export async function verifyBackups(dest: string | undefined, name?: string, options: { cwd?: string; env?: NodeJS.ProcessEnv; onFile?: (bytes: number) => void } = {}): Promise<BackupsVerification> {
  const backupsDir = requireBackupsDir(resolveBackupsDir({ dest, cwd: options.cwd, env: options.env }));
  const all = await findSnapshots(backupsDir);
  const findings: Finding[] = [];
  let targets = all.filter((s) => s.state !== 'incomplete');
  if (name !== undefined) {
    const one = all.find((s) => s.name === name);
    if (!one) throw new FsckError(`no snapshot ${name} in ${backupsDir}; see ${commandLine('backups', 'list', '--dest', backupsDir)}`);
    targets = one.state === 'incomplete' ? [] : [one];
    if (one.state === 'incomplete') findings.push(makeFinding('backup/incomplete', { run: null, path: one.name }, 'the leftover of an interrupted backup: not a snapshot (backups prune removes it)'));
  } else {
    for (const s of all.filter((x) => x.state === 'incomplete')) findings.push(makeFinding('backup/incomplete', { run: null, path: s.name }, 'the leftover of an interrupted backup: not a snapshot (backups prune removes it)'));
  }
  const snapshots: SnapshotVerification[] = [];
  // Hard-linked snapshots share inodes: each is read once in this run, and its verdict holds for every name it has.
  const inodeHashes = new Map<string, Promise<{ sha256: string; size: number }>>();
  for (const s of targets) snapshots.push(await verifySnapshot(join(backupsDir, s.name), { onFile: options.onFile, inodeHashes }));
  const summary = {
    snapshots: snapshots.length,
    damaged: snapshots.filter((s) => !s.ok).length,
    files: snapshots.reduce((n, s) => n + s.files, 0),
    bytes: snapshots.reduce((n, s) => n + s.bytes, 0),
    errors: snapshots.reduce((n, s) => n + s.errors, 0),
    warnings: snapshots.reduce((n, s) => n + s.warnings, 0) + findings.length,
  };
  return { tool: TOOL, version: VERSION, command: 'backups verify', backupsDir, snapshots, findings, summary, exitCode: summary.damaged > 0 ? EXIT.uncorrected : EXIT.clean };
}
