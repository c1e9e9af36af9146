import { readdir, realpath, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { CheckEvent, CheckOptions, CheckResult } from '../../CheckOptions.js';
import type { FileRecord, Finding } from '../../finding.js';
import type { DataDir } from '../Layout.js';
import { FsckError } from '../../errors.js';
import { makeFinding } from '../../makeFinding.js';
import { countSeverities, makeReport } from '../../report.js';
import { checkArtifactBlobs } from './checkArtifactBlobs.js';
import { checkDatabase, type DatabaseCheckResult } from './checkDatabase.js';
import { checkInbox } from './checkInbox.js';
import { projectLiveness } from './isProjectLive.js';
import { verifyDatabaseManifest } from './databaseManifest.js';
import { hashMedia } from './hashMedia.js';
import { checkRunInTwoProjects } from './checks/runInTwoProjects.js';
import { checkStaleParquet } from './checks/staleParquet.js';
import { registryCacheDatabases } from './checks/registryCacheDatabases.js';
import { startClock } from '../../startClock.js';

const SIDECAR = /^(.*\.db)-(wal|shm|journal)$/;

/**
 * Checks real Trackio's data dir (FORMAT.md part 2) read-only: every <project>.db, the artifact
 * blobs and inbox fragments beside them. Same report and events as the run-directory check.
 */
export async function checkTrackioDir(found: DataDir, options: CheckOptions, onEvent?: (e: CheckEvent) => void): Promise<CheckResult> {
  const elapsedMs = startClock();
  const findings: Finding[] = [];
  const emit = (finding: Finding): void => {
    findings.push(finding);
    onEvent?.({ type: 'finding', finding });
  };
  const dataDir = await realpath(found.dataDir);
  const entries = await readdir(dataDir, { withFileTypes: true });
  const names = new Set(entries.map((e) => e.name));
  const projects = entries.filter((e) => e.isFile() && e.name.endsWith('.db')).map((e) => e.name.slice(0, -3)).sort();
  // Registry caches are project databases too; they are checked, not listed in the manifest.
  const checked = [...projects, ...(await registryCacheDatabases(dataDir))];
  const selected = selectProjects(checked, options.runs);

  for (const e of entries) {
    const m = SIDECAR.exec(e.name);
    if (m && !names.has(m[1]!)) {
      emit(makeFinding('sqlite/orphan-sidecar', { run: null, path: e.name }, `${e.name} has no database ${m[1]} beside it: left over after the database was moved or deleted`, { action: 'quarantine-file', safe: true }));
    }
  }

  const liveness = await projectLiveness(dataDir, checked);
  const sizes = await Promise.all(selected.map(async (p) => (await stat(join(dataDir, `${p}.db`))).size));
  onEvent?.({ type: 'start', dataDir: found.dataDir, runs: selected.length, files: selected.length, bytes: sizes.reduce((a, b) => a + b, 0) });

  const databases: DatabaseCheckResult[] = [];
  const signatures: Array<{ project: string; path: string; runs: Map<string, string> }> = [];
  for (const [i, project] of selected.entries()) {
    const live = liveness.get(project)!;
    if (live.live) {
      emit(makeFinding('sqlite/live', { run: null, path: `${project}.db` }, `project ${project} is being written (${live.reasons.join('; ')}); checked through SQLite's locking, as any reader would`));
    }
    // Registries and their caches hold copies of runs by design: only projects take part in run-in-two-projects.
    const onRunSignatures = project.startsWith('registry-') || project.includes('/') ? undefined : (runs: Map<string, string>) => signatures.push({ project, path: `${project}.db`, runs });
    databases.push(await checkDatabase({ dataDir, project, live: live.live, full: options.full ?? false, emit, onRunSignatures }));
    onEvent?.({ type: 'file', path: `${project}.db`, bytes: sizes[i]! });
  }
  checkRunInTwoProjects(signatures, emit, dataDir);
  const isLive = (project: string) => liveness.get(project)?.live ?? false;
  await checkStaleParquet(dataDir, selected.filter((p) => !p.includes('/')), emit, isLive);
  const only = options.runs?.length ? new Set(selected) : undefined;
  const records: FileRecord[] = [
    ...(await checkArtifactBlobs(dataDir, isLive, emit, only)),
    ...(await hashMedia(dataDir, emit, only)),
    ...(await checkInbox(dataDir, [...liveness.values()].some((l) => l.live), emit)),
  ];
  records.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  if (options.onFile) for (const r of records) options.onFile(r);
  if (options.manifest !== false) {
    await verifyDatabaseManifest(dataDir, emit, projects.map((p) => `${p}.db`), only && new Set(selected.map((p) => `${p}.db`)));
  }

  const summary = {
    runs: databases.reduce((n, d) => n + d.runs, 0),
    files: selected.length + records.length,
    bytes: sizes.reduce((a, b) => a + b, 0) + records.reduce((n, r) => n + r.size, 0),
    ...countSeverities(findings),
    durationMs: Math.round(elapsedMs()),
  };
  const report = makeReport('check', found.dataDir, found.layout, summary, sortByPlace(findings), options.strict ?? false);
  return { report, files: options.keepFiles === false ? [] : records, runs: selected.map((p) => ({ run: p, live: isLive(p) })), databases: databases.map((d) => ({ ...d, live: isLive(d.project) })) };
}

/** `--run NAME` selects projects in this layout (a project is the unit a database holds). */
function selectProjects(projects: string[], wanted: string[] | undefined): string[] {
  if (!wanted || wanted.length === 0) return projects;
  const have = new Set(projects);
  const missing = wanted.filter((p) => !have.has(p));
  if (missing.length > 0) throw new FsckError(`no such project database: ${missing.map((p) => `${p}.db`).join(', ')}`);
  return [...new Set(wanted)].sort();
}

/** Reading order for this layout: by file (database, blob, fragment), then table, then row id. */
function sortByPlace(findings: Finding[]): Finding[] {
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return findings.sort(
    (a, b) => cmp(a.path, b.path) || cmp(a.table ?? '', b.table ?? '') || (a.rowId ?? 0) - (b.rowId ?? 0) || (a.line ?? 0) - (b.line ?? 0),
  );
}
