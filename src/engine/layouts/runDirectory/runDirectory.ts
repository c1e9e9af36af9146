import { lstatSync, statSync } from 'node:fs';
import { lstat } from 'node:fs/promises';
import { basename, join, resolve, sep } from 'node:path';
import { FsckError } from '../../errors.js';
import type { FixAction } from '../../finding.js';
import { apparentSize } from '../../fs/apparentSize.js';
import { fsPath } from '../../fs/pathBytes.js';
import { readNames } from '../../fs/walkTree.js';
import { notPlainFile } from '../../repair/notPlainFile.js';
import type { Layout, UnitUsage } from '../Layout.js';

/** Fixes that edit lines of a run's metrics.jsonl in place. */
const LINE_ACTIONS: ReadonlySet<FixAction> = new Set(['trim-last-line', 'append-final-newline', 'strip-nul-bytes', 'quarantine-lines']);
/** The files every run is recognised by; a folder named runs/ without them is somebody else's. */
const RUN_MARKERS = ['metrics.jsonl', 'config.json', 'summary.json'] as const;
const IN_RUN = /^runs\/([^/]+)\//;

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function isRealDir(p: string | Buffer): boolean {
  try {
    return lstatSync(p).isDirectory();
  } catch {
    return false;
  }
}

function exists(p: string): boolean {
  try {
    statSync(p);
    return true;
  } catch {
    return false;
  }
}

/** The layout of the seed tutorial: DIR/runs/<run id>/{config.json, metrics.jsonl, summary.json, artifacts/, logs/}. */
export const runDirectory: Layout = {
  name: 'run-directory',
  unitNoun: 'run',

  locate(dir) {
    if (isDir(join(dir, 'runs'))) return dir;
    const dotted = join(dir, '.trackio');
    return isDir(join(dotted, 'runs')) ? dotted : undefined;
  },

  homes: () => [],

  async holdsData(dir) {
    return isDir(join(dir, 'runs'));
  },

  unitOf: (rel) => IN_RUN.exec(rel)?.[1],

  liveReason: () => 'the run is being written right now: stop the writer, or use --force',

  unitRoot: (run) => ({ rel: `runs/${run}`, isFile: false }),

  async unitFamily(realDataDir, run) {
    return (await lstat(join(realDataDir, 'runs', run)).catch(() => undefined)) ? [`runs/${run}`] : [];
  },

  async refuseLiveUnit(realDataDir, run, windowMs) {
    const target = join(realDataDir, 'runs', run);
    const { openForWriting } = await import('../../live/openForWriting.js');
    const open = await openForWriting(target);
    if (open.size > 0) throw new FsckError(`run ${run} is being written (another process has ${[...open].map((p) => basename(p)).join(', ')} open for writing): stop the writer, or use --force. Nothing was changed.`);
    const finished = await lstat(join(target, 'summary.json')).then(() => true, () => false);
    const metrics = await lstat(join(target, 'metrics.jsonl')).catch(() => undefined);
    const ago = metrics ? Date.now() - metrics.mtimeMs : Infinity;
    if (!finished && windowMs > 0 && ago < windowMs) {
      throw new FsckError(`run ${run} looks live (metrics.jsonl changed ${Math.round(ago / 1000)} s ago, no summary.json yet; no process has it open): if the writer crashed, use --live-window 0 or --force. Nothing was changed.`);
    }
  },

  async liveUnits(realDataDir) {
    const { openForWriting } = await import('../../live/openForWriting.js');
    const units = new Map<string, string[]>();
    for (const abs of await openForWriting(join(realDataDir, 'runs'))) {
      const run = IN_RUN.exec(abs.slice(realDataDir.length + 1).split(sep).join('/'))?.[1];
      if (run) units.set(run, [...(units.get(run) ?? []), `${abs} is open for writing in another process`]);
    }
    return [...units].map(([unit, reasons]) => ({ unit, reasons }));
  },

  async scan(found, options, onEvent) {
    const { scanRunDirectory } = await import('./scanRunDirectory.js');
    return scanRunDirectory(found, options, onEvent);
  },

  ownsFix(action, f) {
    const prefix = `runs/${f.run}/`;
    return LINE_ACTIONS.has(action) && f.run !== null && f.path === `${prefix}metrics.jsonl`;
  },

  async planFixes(ctx, path, findings) {
    const why = await notPlainFile(ctx.realDataDir, path);
    if (why) return { steps: [], left: findings.map((finding) => ({ finding, reason: why })) };
    const [{ scanJsonlForRepair }, { planJsonlSteps }] = await Promise.all([import('./scanJsonlForRepair.js'), import('./planJsonlSteps.js')]);
    const run = findings[0]!.run;
    const scan = await scanJsonlForRepair(join(ctx.realDataDir, path), path, run);
    return { steps: planJsonlSteps(path, run, scan), left: [] };
  },

  opKinds: {},

  snapshotRoles: (rels) => new Map(rels.map((r) => [r, 'file' as const])),

  async copyDatabase(src) {
    throw new FsckError(`${src}: the run-directory layout has no databases`);
  },

  writeRecords: async () => 0,
  verifyRecords: async () => false,

  async diskUsage(realDataDir, skip) {
    const units: UnitUsage[] = [];
    const runsDir = join(realDataDir, 'runs');
    // walkTree's rule: no link followed (runs/ itself included), names exact.
    if (!isRealDir(runsDir)) return units;
    for (const name of readNames(runsDir)) {
      const abs = join(runsDir, name);
      if (!isRealDir(fsPath(abs))) continue;
      const parts = { metrics: 0, artifacts: 0, logs: 0, other: 0 };
      let bytes = 0;
      for (const c of readNames(abs)) {
        const size = await apparentSize(join(abs, c), skip);
        const isDir = isRealDir(fsPath(join(abs, c)));
        const part = c === 'metrics.jsonl' ? 'metrics' : c === 'artifacts' && isDir ? 'artifacts' : c === 'logs' && isDir ? 'logs' : 'other';
        parts[part] += size;
        bytes += size;
      }
      units.push({ unit: name, bytes, parts });
    }
    return units;
  },

  async compare(dirA, dirB, errors) {
    const { compareRunDirs } = await import('../../compare/compareRunDirs.js');
    const { emptyFileDiff } = await import('../../compare/compareFiles.js');
    return { projects: [], runs: await compareRunDirs(dirA, dirB, errors), files: emptyFileDiff() };
  },

  mergesRows: false,

  async planMerge(dirInto, dirFrom, errors) {
    return (await import('./planMergeRuns.js')).planMergeRuns(dirInto, dirFrom, errors);
  },

  /**
   * A file belongs to run ID of data dir D when it lies below D/runs/ID/ and D is a real data dir:
   * named .trackio, equal to $TRACKIO_DIR, or its run directory holds one of the files every run has.
   * The outermost such D wins, so a data dir stored as a run's artifact is part of that run, and an
   * unrelated src/runs/ folder is ignored.
   */
  placeStaged(abs, env, cwd) {
    const trackioDir = env.TRACKIO_DIR ? resolve(cwd, env.TRACKIO_DIR) : undefined;
    const parts = abs.split(sep);
    for (let i = 1; i + 2 < parts.length; i++) {
      if (parts[i] !== 'runs') continue;
      const dataDir = parts.slice(0, i).join(sep) || sep;
      const unit = parts[i + 1]!;
      if (unit === '' || unit === '.' || unit === '..') continue;
      const runDir = join(dataDir, 'runs', unit);
      const dotted = basename(dataDir) === '.trackio';
      // A run directory that is a link is checked (and reported: never followed), not taken for a deleted run.
      if (lstatSync(runDir, { throwIfNoEntry: false })?.isSymbolicLink()) return { dataDir, unit, rel: parts.slice(i).join('/') };
      if (!isRealDir(runDir)) {
        if (isRealDir(join(dataDir, 'runs')) || dotted) return { gone: true };
        continue;
      }
      if (dotted || dataDir === trackioDir || RUN_MARKERS.some((m) => exists(join(runDir, m)))) return { dataDir, unit, rel: parts.slice(i).join('/') };
    }
    return undefined;
  },
};
