import type { SqliteDatabase } from '../layouts/trackioSqlite/loadSqlite.js';
import type { RowExample, TableCounts } from './CompareResult.js';
import type { RowEvent, SchemaName } from './diffTableRows.js';
import { REGISTRY_TABLES, type RegistryTable } from '../layouts/trackioSqlite/registryRows.js';

/** One row of a side: its identity and row id (its name for people is made from them when it is reported). */
interface Entry {
  key: string;
  rowid: number;
  /** artifacts: the type (immutable in Trackio: another type is another artifact). */
  type?: string;
  /** artifact_versions: the artifact's name and the version number, which is unique per artifact. */
  slot?: string;
  /** artifact_aliases, run_artifact_links: the identity of the version they point at. */
  target?: string;
}

type Keyed = Map<string, Entry[]>;

/** One side's registry, every row keyed by an identity that does not depend on its database's ids. */
type Registry = Record<RegistryTable, Keyed>;

export interface RegistryDiff {
  tables: Partial<Record<RegistryTable, TableCounts>>;
  examples: RowExample[];
}

/**
 * The artifact registry and project_metadata of A (`main`) and B (attached as `b`) matched by
 * identity, never by id (ids are each database's own autoincrement values):
 * - an artifact by its name (UNIQUE);
 * - a version by its artifact's name and manifest_digest (UNIQUE per artifact); versions of one
 *   artifact that match nothing on the other side but hold the same version number there pair up
 *   as one version that differs (the number is unique per artifact: two contents cannot share it);
 * - an alias by its artifact's name and the alias; its content is the version it points at;
 * - a run link by the run (run_id, else run_name), the version and the direction, as Trackio's
 *   unique index and its INSERT OR IGNORE dedupe them;
 * - a project_metadata row by its key.
 * A row with the same identity and other content differs. For a merge of B into A, `onRow` also
 * says which of B's rows cannot come in although A lacks them (`held`): a version of an artifact
 * whose type differs here or whose number A uses for other content; an alias or link whose version
 * does not come in. A table one side lacks (an older schema) counts as empty there. Identities are
 * read into JavaScript (short strings, a row per artifact version); the rest of two matched rows
 * is compared by SQLite, so a manifest never crosses into JavaScript.
 */
export function diffRegistry(
  db: SqliteDatabase,
  tablesA: Map<string, Set<string>> | undefined,
  tablesB: Map<string, Set<string>> | undefined,
  onRow?: (table: RegistryTable, e: RowEvent) => void,
  maxExamples = 10,
): RegistryDiff {
  const present = REGISTRY_TABLES.filter((t) => tablesA?.has(t) || tablesB?.has(t));
  const out: RegistryDiff = { tables: {}, examples: [] };
  if (present.length === 0) return out;
  const a = readRegistry(db, 'main', tablesA);
  const b = readRegistry(db, 'b', tablesB);
  const differs = contentComparer(db, tablesA, tablesB);
  const emit = (table: RegistryTable, kind: RowEvent['kind'], x: Entry | undefined, y: Entry | undefined, held?: string) => {
    const counts = (out.tables[table] ??= { a: 0, b: 0, onlyInA: 0, onlyInB: 0, differ: 0 });
    counts[kind === 'only-in-a' ? 'onlyInA' : kind === 'only-in-b' ? 'onlyInB' : 'differ'] += 1;
    const label = labelOf(table, y ? b : a, (y ?? x)!);
    if (out.examples.length < maxExamples) out.examples.push({ kind, table, at: null, key: label, ...(x && { rowIdA: x.rowid }), ...(y && { rowIdB: y.rowid }) });
    onRow?.(table, { kind, run: label, at: null, ...(x && { rowIdA: x.rowid }), ...(y && { rowIdB: y.rowid }), ...(held && { held }) });
  };
  const size = (k: Keyed) => [...k.values()].reduce((n, list) => n + list.length, 0);
  for (const t of present) out.tables[t] = { a: size(a[t]), b: size(b[t]), onlyInA: 0, onlyInB: 0, differ: 0 };

  // Artifacts: another type is another artifact (Trackio refuses to relog a name with another type),
  // so nothing of B's under that name can come in.
  const otherType = new Set<string>();
  const artifacts = pair(a.artifacts, b.artifacts);
  for (const [name, x, y] of artifacts.both) {
    if (differs('artifacts', x, y)) emit('artifacts', 'differ', x, y);
    if (x.type !== y.type) otherType.add(name);
  }
  for (const [, x] of artifacts.onlyA) emit('artifacts', 'only-in-a', x, undefined);
  for (const [, y] of artifacts.onlyB) emit('artifacts', 'only-in-b', undefined, y);
  const artifactHere = (name: string) => a.artifacts.has(name) || b.artifacts.has(name);
  const artifactHeld = (name: string): string | undefined =>
    otherType.has(name) ? 'its artifact has another type here' : !artifactHere(name) ? 'its artifact is missing in the other copy' : undefined;

  // Versions: what stays unmatched pairs up by (artifact, version number) as one version that differs.
  const versions = pair(a.artifact_versions, b.artifact_versions);
  for (const [, x, y] of versions.both) if (differs('artifact_versions', x, y)) emit('artifact_versions', 'differ', x, y);
  const unmatchedA = new Map<string, Entry[]>();
  for (const [, x] of versions.onlyA) push(unmatchedA, x.slot!, x);
  const slotsA = new Set([...a.artifact_versions.values()].flat().map((x) => x.slot!));
  const available = new Set(a.artifact_versions.keys());
  for (const [key, y] of versions.onlyB) {
    const x = unmatchedA.get(y.slot!)?.shift();
    if (x) {
      emit('artifact_versions', 'differ', x, y);
      continue;
    }
    const held = artifactHeld(nameOf(key)) ?? (slotsA.has(y.slot!) ? 'its version number is taken here by other content' : undefined);
    if (!held) available.add(key);
    emit('artifact_versions', 'only-in-b', undefined, y, held);
  }
  for (const list of unmatchedA.values()) for (const x of list) emit('artifact_versions', 'only-in-a', x, undefined);

  // Aliases and run links point at a version: B's come in only with it.
  const pointing = (table: 'artifact_aliases' | 'run_artifact_links') => {
    const p = pair(a[table], b[table]);
    for (const [, x, y] of p.both) if (x.target !== y.target || differs(table, x, y)) emit(table, 'differ', x, y);
    for (const [, x] of p.onlyA) emit(table, 'only-in-a', x, undefined);
    for (const [, y] of p.onlyB) {
      const held = y.target!.startsWith(DANGLING_VERSION)
        ? 'the version it points at is missing in the other copy'
        : (artifactHeld(nameOf(y.target!)) ?? (available.has(y.target!) ? undefined : 'the version it points at does not come in'));
      emit(table, 'only-in-b', undefined, y, held);
    }
  };
  pointing('artifact_aliases');
  pointing('run_artifact_links');

  const metadata = pair(a.project_metadata, b.project_metadata);
  for (const [, x, y] of metadata.both) if (differs('project_metadata', x, y)) emit('project_metadata', 'differ', x, y);
  for (const [, x] of metadata.onlyA) emit('project_metadata', 'only-in-a', x, undefined);
  for (const [, y] of metadata.onlyB) emit('project_metadata', 'only-in-b', undefined, y);
  return out;
}

/** Rows of both sides by identity: pairs in order, and the surplus of each side (a key repeated on a damaged side). */
function pair(a: Keyed, b: Keyed): { both: Array<[string, Entry, Entry]>; onlyA: Array<[string, Entry]>; onlyB: Array<[string, Entry]> } {
  const out = { both: [] as Array<[string, Entry, Entry]>, onlyA: [] as Array<[string, Entry]>, onlyB: [] as Array<[string, Entry]> };
  for (const [key, xs] of a) {
    const ys = b.get(key) ?? [];
    xs.forEach((x, i) => (i < ys.length ? out.both.push([key, x, ys[i]!]) : out.onlyA.push([key, x])));
    for (const y of ys.slice(xs.length)) out.onlyB.push([key, y]);
  }
  for (const [key, ys] of b) if (!a.has(key)) for (const y of ys) out.onlyB.push([key, y]);
  return out;
}

function push(map: Map<string, Entry[]>, key: string, e: Entry): void {
  const list = map.get(key);
  if (list) list.push(e);
  else map.set(key, [e]);
}

/** The artifact part of a version's identity (a name, or a dangling artifact id's stand-in). */
function nameOf(versionKey: string): string {
  return versionKey.slice(0, versionKey.lastIndexOf('\0'));
}

/** The identity of a version id that names no version on its side (damage `check` reports): matches nothing. */
const DANGLING_VERSION = '\0version#';

/** Per table, the columns that are a row's identity or a local id: everything else is its content. */
const IDENTITY: Record<RegistryTable, string[]> = {
  artifacts: ['id', 'name'],
  artifact_versions: ['id', 'artifact_id', 'manifest_digest'],
  artifact_aliases: ['artifact_id', 'alias', 'artifact_version_id'],
  run_artifact_links: ['id', 'artifact_version_id', 'direction'],
  project_metadata: ['key'],
};

/**
 * Whether two rows matched by identity hold other content, asked of SQLite (one lookup of each by
 * row id): every other column, TEXT and BLOB of the same bytes alike, as compare reads cells
 * elsewhere. Columns one side lacks count as NULL there.
 */
function contentComparer(db: SqliteDatabase, tablesA: Map<string, Set<string>> | undefined, tablesB: Map<string, Set<string>> | undefined): (table: RegistryTable, x: Entry, y: Entry) => boolean {
  const statements = new Map<string, ReturnType<SqliteDatabase['prepare']>>();
  return (table, x, y) => {
    let same = statements.get(table);
    if (!same) {
      const colsA = tablesA?.get(table) ?? new Set<string>();
      const colsB = tablesB?.get(table) ?? new Set<string>();
      const cells = [...new Set([...colsA, ...colsB])].filter((c) => !IDENTITY[table].includes(c)).sort();
      const cell = (cols: Set<string>, alias: string, c: string) => (cols.has(c) ? `CAST(${alias}."${c}" AS BLOB)` : 'NULL');
      const equal = cells.map((c) => `${cell(colsA, 'x', c)} IS ${cell(colsB, 'y', c)}`).join(' AND ') || '1';
      statements.set(table, (same = db.prepare(`SELECT ${equal} FROM main."${table}" x, b."${table}" y WHERE x.rowid = ? AND y.rowid = ?`).pluck()));
    }
    return same.get([x.rowid, y.rowid]) !== 1;
  };
}

/**
 * A side's registry by identity, read by SQLite row by row with the names and digests its ids
 * stand for joined in. An id that names no row on its side (a dangling reference: damage `check`
 * reports) becomes an identity no name can take, so it matches nothing on the other side.
 */
function readRegistry(db: SqliteDatabase, schema: SchemaName, tables: Map<string, Set<string>> | undefined): Registry {
  const reg: Registry = { artifacts: new Map(), artifact_versions: new Map(), artifact_aliases: new Map(), run_artifact_links: new Map(), project_metadata: new Map() };
  const has = (t: RegistryTable) => tables?.has(t) ?? false;
  const rows = (table: RegistryTable, columns: string, joins = ''): IterableIterator<unknown[]> =>
    db.prepare(`SELECT x.rowid, ${columns} FROM ${schema}."${table}" x${joins}`).raw(true).iterate() as IterableIterator<unknown[]>;
  const add = (table: RegistryTable, e: Entry) => push(reg[table], e.key, e);
  // A dangling id: an identity no name can take (names hold no NUL).
  const name = (n: unknown, id: unknown) => (n === null || n === undefined ? `\0#${String(id)}` : text(n));
  const versionKey = (n: unknown, artifactId: unknown, digest: unknown, versionId: unknown) => (digest === null || digest === undefined ? `${DANGLING_VERSION}${String(versionId)}` : `${name(n, artifactId)}\0${text(digest)}`);
  // What an alias or link points at; a side without versions (damage) points at nothing.
  const target = has('artifact_versions') && has('artifacts')
    ? `LEFT JOIN ${schema}.artifact_versions v ON v.id = x.artifact_version_id LEFT JOIN ${schema}.artifacts va ON va.id = v.artifact_id`
    : 'LEFT JOIN (SELECT NULL AS artifact_id, NULL AS manifest_digest) v ON 0 LEFT JOIN (SELECT NULL AS name) va ON 0';
  if (has('artifacts')) {
    for (const [rowid, n, type] of rows('artifacts', 'x.name, x.type')) add('artifacts', { key: text(n), rowid: Number(rowid), type: text(type) });
  }
  if (has('artifact_versions')) {
    const join = has('artifacts') ? ` LEFT JOIN ${schema}.artifacts a ON a.id = x.artifact_id` : ' LEFT JOIN (SELECT NULL AS name) a ON 0';
    for (const [rowid, n, artifactId, digest, version] of rows('artifact_versions', 'a.name, x.artifact_id, x.manifest_digest, x.version', join)) {
      add('artifact_versions', { key: `${name(n, artifactId)}\0${text(digest)}`, rowid: Number(rowid), slot: `${name(n, artifactId)}\0${String(version)}` });
    }
  }
  if (has('artifact_aliases')) {
    const joins = ` ${has('artifacts') ? `LEFT JOIN ${schema}.artifacts a ON a.id = x.artifact_id` : 'LEFT JOIN (SELECT NULL AS name) a ON 0'} ${target}`;
    for (const [rowid, n, artifactId, alias, vn, vArtifactId, digest, versionId] of rows('artifact_aliases', 'a.name, x.artifact_id, x.alias, va.name, v.artifact_id, v.manifest_digest, x.artifact_version_id', joins)) {
      add('artifact_aliases', { key: `${name(n, artifactId)}\0${text(alias)}`, rowid: Number(rowid), target: versionKey(vn, vArtifactId, digest, versionId) });
    }
  }
  if (has('run_artifact_links')) {
    for (const [rowid, runId, runName, direction, vn, vArtifactId, digest, versionId] of rows('run_artifact_links', 'x.run_id, x.run_name, x.direction, va.name, v.artifact_id, v.manifest_digest, x.artifact_version_id', ` ${target}`)) {
      const to = versionKey(vn, vArtifactId, digest, versionId);
      const run = runId !== null && runId !== undefined ? `id\0${text(runId)}` : `name\0${text(runName)}`;
      add('run_artifact_links', { key: `${run}\0${to}\0${text(direction)}`, rowid: Number(rowid), target: to });
    }
  }
  if (has('project_metadata')) {
    for (const [rowid, key] of rows('project_metadata', 'x.key')) add('project_metadata', { key: text(key), rowid: Number(rowid) });
  }
  return reg;
}

/**
 * A row's name for people, made from its identity when it is reported: `dataset`, `dataset v1
 * (3f5a09c1d2e4)`, `model:latest -> model v1 (…)`, `run-0 output model v1 (…)`, a metadata key.
 */
function labelOf(table: RegistryTable, reg: Registry, e: Entry): string {
  const version = (key: string) => {
    if (key.startsWith(DANGLING_VERSION)) return `version id ${key.slice(DANGLING_VERSION.length)} (missing)`;
    const slot = reg.artifact_versions.get(key)?.[0]?.slot;
    return `${printable(nameOf(key))} v${slot ? slot.slice(slot.lastIndexOf('\0') + 1) : '?'} (${key.slice(key.lastIndexOf('\0') + 1, key.lastIndexOf('\0') + 13)})`;
  };
  if (table === 'artifacts' || table === 'project_metadata') return printable(e.key);
  if (table === 'artifact_versions') return version(e.key);
  if (table === 'artifact_aliases') {
    const cut = e.key.lastIndexOf('\0');
    return `${printable(e.key.slice(0, cut))}:${e.key.slice(cut + 1)} -> ${version(e.target!)}`;
  }
  const run = e.key.slice(e.key.indexOf('\0') + 1, e.key.indexOf('\0', e.key.indexOf('\0') + 1));
  return `${run} ${e.key.slice(e.key.lastIndexOf('\0') + 1)} ${version(e.target!)}`;
}

function text(v: unknown): string {
  return Buffer.isBuffer(v) ? v.toString('utf8') : String(v);
}

/** A name for people: a dangling reference is shown as the id it names. */
function printable(name: string): string {
  return name.startsWith('\0#') ? `artifact id ${name.slice(2)} (missing)` : name;
}
