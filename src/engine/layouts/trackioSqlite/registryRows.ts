import { FsckError } from '../../errors.js';
import type { SqliteDatabase } from './loadSqlite.js';

/**
 * The artifact registry and project_metadata, in the order their rows refer to one another: an
 * artifact before its versions, a version before the aliases and run links that point at it. Rows
 * are brought (and digested) in this order, before every other table.
 */
export const REGISTRY_TABLES = ['artifacts', 'artifact_versions', 'artifact_aliases', 'run_artifact_links', 'project_metadata'] as const;
export type RegistryTable = (typeof REGISTRY_TABLES)[number];

type Row = Record<string, unknown>;

/** What a registry row refers to, by identity: its artifact's name, and for an alias or link the version's manifest_digest. */
export interface RegistryRefs {
  artifact: string | null;
  manifest_digest?: string | null;
}

/** The tables whose rows hold another row's id, which means nothing in another database. */
const REFERRING = new Set(['artifact_versions', 'artifact_aliases', 'run_artifact_links']);

/** Tables by the order rows are brought in: the registry's first, in reference order, then the rest by name. */
export function byReferenceOrder(a: string, b: string): number {
  const rank = (t: string) => {
    const i = (REGISTRY_TABLES as readonly string[]).indexOf(t);
    return i >= 0 && t !== 'project_metadata' ? i : REGISTRY_TABLES.length;
  };
  return rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0);
}

/**
 * Reads, in database `db`, what a row refers to by identity (undefined for a table whose rows refer
 * to nothing): the JSONL line of a row carries them, so a digest of B's rows also covers the names
 * and digests its ids stood for when the plan read it, and quarantine says what a kept row meant.
 */
export function registryRefsOf(db: SqliteDatabase): (table: string, row: Row) => RegistryRefs | undefined {
  let artifact: ReturnType<SqliteDatabase['prepare']> | undefined;
  let version: ReturnType<SqliteDatabase['prepare']> | undefined;
  return (table, row) => {
    if (!REFERRING.has(table)) return undefined;
    if (table === 'artifact_versions') {
      artifact ??= db.prepare('SELECT name FROM artifacts WHERE id = ?').pluck();
      return { artifact: text(artifact.get(row.artifact_id as bigint)) };
    }
    version ??= db.prepare('SELECT a.name, v.manifest_digest FROM artifact_versions v LEFT JOIN artifacts a ON a.id = v.artifact_id WHERE v.id = ?').raw(true);
    const [name, digest] = (version.get(row.artifact_version_id as bigint) as [unknown, unknown] | undefined) ?? [null, null];
    return { artifact: text(name), manifest_digest: text(digest) };
  };
}

/**
 * Inserts B's registry row into `dst` (DIR's fresh copy) with its references remapped to DIR's
 * rows of the same identity: the artifact by name, the version by its artifact and manifest_digest.
 * An artifact, version or run link gets the next id of DIR's own autoincrement (B's ids are B's
 * own); every other column is kept as B holds it. The plan only brings rows whose references DIR
 * has or gains before them (REGISTRY_TABLES order); one that finds none means B changed since the
 * plan: the merge stops, nothing brought.
 */
export function registryInserter(dst: SqliteDatabase): (table: string, row: Row, refs: RegistryRefs | undefined) => Row | undefined {
  // Prepared on first use: DIR's database of an older generation has no registry to look in.
  let artifactId: ReturnType<SqliteDatabase['prepare']> | undefined;
  let versionId: ReturnType<SqliteDatabase['prepare']> | undefined;
  const need = (found: unknown, what: string): unknown => {
    // DIR's database is as planned (apply checked), so only B can have changed: renamed, deleted.
    if (found === undefined) throw new FsckError(`the other copy's registry changed since the merge was planned (${what} is not in this database); nothing was brought: plan again`);
    return found;
  };
  return (table, row, refs) => {
    if (table === 'artifacts') {
      const { id: _id, ...rest } = row;
      return rest;
    }
    if (!REFERRING.has(table)) return undefined;
    const artifact = `artifact ${JSON.stringify(refs?.artifact)}`;
    const values: Row = { ...row };
    delete values.id;
    if (table === 'artifact_versions' || table === 'artifact_aliases') {
      artifactId ??= dst.prepare('SELECT id FROM artifacts WHERE name = ?').pluck().safeIntegers(true);
      values.artifact_id = need(artifactId.get([refs?.artifact ?? null]), artifact);
    }
    if (table !== 'artifact_versions') {
      versionId ??= dst.prepare('SELECT v.id FROM artifact_versions v JOIN artifacts a ON a.id = v.artifact_id WHERE a.name = ? AND v.manifest_digest = ?').pluck().safeIntegers(true);
      values.artifact_version_id = need(versionId.get([refs?.artifact ?? null, refs?.manifest_digest ?? null]), `version ${JSON.stringify(refs?.manifest_digest)} of ${artifact}`);
    }
    return values;
  };
}

function text(v: unknown): string | null {
  return v === null || v === undefined ? null : Buffer.isBuffer(v) ? v.toString('utf8') : String(v);
}
