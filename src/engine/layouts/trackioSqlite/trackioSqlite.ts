import { readdirSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { FsckError } from '../../errors.js';
import { apparentSize } from '../../fs/apparentSize.js';
import { notPlainFile } from '../../repair/notPlainFile.js';
import type { Layout, UnitUsage } from '../Layout.js';

const DATABASE = /^([^/]+)\.db$/;
const OWNED = /^([^/]+)\.db(-wal|-shm|-journal)?$/;
const BELOW = /^(?:artifacts|media)\/([^/]+)\//;

/** Real Trackio (the Python package) keeps one <project>.db per project directly in its data dir. */
function holdsProjectDatabases(dir: string): boolean {
  try {
    return readdirSync(dir, { withFileTypes: true }).some((e) => e.isFile() && e.name.endsWith('.db'));
  } catch {
    return false;
  }
}

/** The project a path of the data dir belongs to: `<p>.db` (and its sidecars), `artifacts/<p>/…`, `media/<p>/…`. */
function projectOfPath(rel: string): string | undefined {
  return OWNED.exec(rel)?.[1] ?? BELOW.exec(rel)?.[1];
}

/** Real Trackio's layout (FORMAT.md part 2): <project>.db SQLite databases, media/, artifacts/, inbox/. */
export const trackioSqlite: Layout = {
  name: 'trackio-sqlite',
  unitNoun: 'project',

  locate: (dir) => (holdsProjectDatabases(dir) ? dir : undefined),

  homes(env, cwd) {
    const homes: ReturnType<Layout['homes']> = [];
    if (env.HF_HOME) homes.push({ dir: join(resolve(cwd, env.HF_HOME), 'trackio'), foundBy: 'HF_HOME', label: '$HF_HOME/trackio' });
    if (env.HOME) homes.push({ dir: join(env.HOME, '.cache', 'huggingface', 'trackio'), foundBy: 'home', label: '~/.cache/huggingface/trackio' });
    return homes;
  },

  // A name is not enough (a project root holding some notes.db is not a data dir): one must be a SQLite database.
  async holdsData(dir) {
    const { readSqliteHeader } = await import('./readSqliteHeader.js');
    for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
      if (e.isFile() && e.name.endsWith('.db') && (await readSqliteHeader(join(dir, e.name)).catch(() => undefined))) return true;
    }
    return false;
  },

  unitOf: projectOfPath,

  liveReason: (project) => `project ${project} is being written right now (a Trackio writer holds it): stop the writer, or use --force`,

  unitRoot: (project) => ({ rel: `${project}.db`, isFile: true }),

  async unitFamily(realDataDir, project) {
    const names = new Set(await readdir(realDataDir));
    return [`${project}.db`, `${project}.db-wal`, `${project}.db-shm`, `${project}.db-journal`].filter((n) => names.has(n));
  },

  async refuseLiveUnit(realDataDir, project) {
    const { liveProjectsIn } = await import('./liveProjectsIn.js');
    const live = (await liveProjectsIn(realDataDir)).find((p) => p.project === project);
    if (live) throw new FsckError(`project ${project} is being written (${live.reasons.join('; ')}): stop the writer, or use --force. Nothing was changed.`);
  },

  async liveUnits(realDataDir) {
    const { liveProjectsIn } = await import('./liveProjectsIn.js');
    return (await liveProjectsIn(realDataDir)).map((p) => ({ unit: p.project, reasons: p.reasons }));
  },

  async scan(found, options, onEvent) {
    const { checkTrackioDir } = await import('./checkTrackioDir.js');
    return checkTrackioDir(found, options, onEvent);
  },

  ownsFix: (action) => action === 'quarantine-rows' || action === 'salvage-database' || action === 'reindex-database' || action === 'quarantine-duplicate-rows' || action === 'rewrite-nonfinite-cells',

  async planFixes(ctx, path, findings) {
    const why = await notPlainFile(ctx.realDataDir, path);
    if (why) return { steps: [], left: findings.map((finding) => ({ finding, reason: why })) };
    const { planDatabaseSteps } = await import('./planDatabaseSteps.js');
    return { steps: await planDatabaseSteps(ctx.realDataDir, path, findings, ctx.backupsDir), left: [] };
  },

  opKinds: {
    database: async () => (await import('./databaseOp.js')).databaseOp,
    'merge-database': async () => (await import('./mergeDatabaseOp.js')).mergeDatabaseOp,
  },

  snapshotRoles(rels) {
    return snapshotRolesOf(rels);
  },

  async copyDatabase(src, dst) {
    const { copyDatabaseInto } = await import('./snapshotDatabases.js');
    return copyDatabaseInto(src, dst);
  },

  async writeRecords(realDataDir, result, now) {
    const { writeDatabaseManifest } = await import('./databaseManifest.js');
    return writeDatabaseManifest(realDataDir, (result.databases ?? []).map((d) => d.path), now);
  },

  async verifyRecords(realDataDir, emit) {
    const { verifyDatabaseManifest } = await import('./databaseManifest.js');
    const dbs = (await readdir(realDataDir)).filter((n) => n.endsWith('.db'));
    return verifyDatabaseManifest(realDataDir, emit, dbs);
  },

  async diskUsage(realDataDir, skip) {
    const names = await readdir(realDataDir).catch(() => [] as string[]);
    const projects = names.map((n) => DATABASE.exec(n)?.[1]).filter((p): p is string => p !== undefined).sort();
    const units: UnitUsage[] = [];
    for (const p of projects) {
      const parts = {
        database: await apparentSize(join(realDataDir, `${p}.db`), skip),
        wal: (await apparentSize(join(realDataDir, `${p}.db-wal`))) + (await apparentSize(join(realDataDir, `${p}.db-shm`))) + (await apparentSize(join(realDataDir, `${p}.db-journal`))),
        media: await apparentSize(join(realDataDir, 'media', p), skip),
        artifacts: await apparentSize(join(realDataDir, 'artifacts', p), skip),
        // Dataset mode's sidecars: <project>.parquet, <project>_system.parquet, ...
        parquet: 0,
      };
      for (const n of names) if (n.endsWith('.parquet') && (n === `${p}.parquet` || n.startsWith(`${p}_`))) parts.parquet += await apparentSize(join(realDataDir, n));
      units.push({ unit: p, bytes: Object.values(parts).reduce((a, b) => a + b, 0), parts });
    }
    return units;
  },

  async compare(dirA, dirB, errors) {
    const [{ compareDatabases }, { compareFileTrees }] = await Promise.all([import('../../compare/compareDatabases.js'), import('../../compare/compareFiles.js')]);
    const { projects, runs } = await compareDatabases(dirA, dirB, errors);
    return { projects, runs, files: await compareFileTrees(join(dirA, 'inbox'), join(dirB, 'inbox'), 'inbox/', { errors }) };
  },

  mergesRows: true,

  async planMerge(dirInto, dirFrom, errors) {
    return (await import('./planMergeSteps.js')).planMergeSteps(dirInto, dirFrom, errors);
  },

  /** A staged `<project>.db` (or its -wal, media, blobs) of a folder that holds project databases. */
  placeStaged(abs) {
    const name = basename(abs);
    const db = OWNED.exec(name);
    if (db) {
      const dataDir = dirname(abs);
      if (!holdsProjectDatabases(dataDir)) return undefined;
      return { dataDir, unit: db[1]!, rel: name };
    }
    // media/<project>/... and artifacts/<project>/... of a data dir
    const parts = abs.split('/');
    for (let i = parts.length - 3; i >= 1; i--) {
      if (parts[i] !== 'media' && parts[i] !== 'artifacts') continue;
      const dataDir = parts.slice(0, i).join('/') || '/';
      if (holdsProjectDatabases(dataDir)) return { dataDir, unit: parts[i + 1]!, rel: parts.slice(i).join('/') };
    }
    return undefined;
  },
};

const SIDECAR = /^(.+\.db)-(wal|shm|journal)$/;
const LOCK = /^(.+)\.lock$/;

/**
 * Which files a snapshot copies how. A top-level `<project>.db` goes through SQLite's backup API: the
 * copy is one self-contained file with whatever the -wal held, so the database's -wal, -shm and
 * -journal are left out, as is `<project>.lock` (an empty file Trackio creates again; only a held lock
 * means anything). A sidecar or lock without its database is copied as a file like everything else.
 */
function snapshotRolesOf(rels: readonly string[]) {
  const top = new Set(rels.filter((r) => !r.includes('/')));
  const roles = new Map<string, 'database' | 'leave-out' | 'file'>();
  for (const rel of rels) {
    if (rel.includes('/')) roles.set(rel, 'file');
    else if (rel.endsWith('.db')) roles.set(rel, 'database');
    else {
      const side = SIDECAR.exec(rel)?.[1] ?? (LOCK.test(rel) ? rel.replace(LOCK, '$1.db') : undefined);
      roles.set(rel, side !== undefined && top.has(side) ? 'leave-out' : 'file');
    }
  }
  return roles;
}
