import { createHash } from 'node:crypto';
import type { SqliteDatabase } from '../layouts/trackioSqlite/loadSqlite.js';
import type { RowExample, TableCounts } from './CompareResult.js';
import type { RowEvent, SchemaName } from './diffTableRows.js';
import { REGISTRY_TABLES, type RegistryTable } from '../layouts/trackioSqlite/registryRows.js';

/** One row of a side: its row id, what it holds besides its identity (a digest), how a person names it. */
interface Entry {
  rowid: number;
  content: string;
  label: string;
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
 * does not come in. A table one side lacks (an older schema) counts as empty there. The tables are
 * small (a row per artifact version), so each side is read whole, one digest per row.
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
  const emit = (table: RegistryTable, kind: RowEvent['kind'], x: Entry | undefined, y: Entry | undefined, held?: string) => {
    const counts = (out.tables[table] ??= { a: 0, b: 0, onlyInA: 0, onlyInB: 0, differ: 0 });
    counts[kind === 'only-in-a' ? 'onlyInA' : kind === 'only-in-b' ? 'onlyInB' : 'differ'] += 1;
    const label = (y ?? x)!.label;
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
    if (x.content !== y.content) emit('artifacts', 'differ', x, y);
    if (x.type !== y.type) otherType.add(name);
  }
  for (const [, x] of artifacts.onlyA) emit('artifacts', 'only-in-a', x, undefined);
  for (const [, y] of artifacts.onlyB) emit('artifacts', 'only-in-b', undefined, y);
  const artifactHere = (name: string) => a.artifacts.has(name) || b.artifacts.has(name);
  const artifactHeld = (name: string): string | undefined =>
    otherType.has(name) ? 'its artifact has another type here' : !artifactHere(name) ? 'its artifact is missing in the other copy' : undefined;

  // Versions: what stays unmatched pairs up by (artifact, version number) as one version that differs.
  const versions = pair(a.artifact_versions, b.artifact_versions);
  for (const [, x, y] of versions.both) if (x.content !== y.content) emit('artifact_versions', 'differ', x, y);
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
    for (const [, x, y] of p.both) if (x.content !== y.content) emit(table, 'differ', x, y);
    for (const [, x] of p.onlyA) emit(table, 'only-in-a', x, undefined);
    for (const [, y] of p.onlyB) {
      const held = artifactHeld(nameOf(y.target!)) ?? (available.has(y.target!) ? undefined : 'the version it points at does not come in');
      emit(table, 'only-in-b', undefined, y, held);
    }
  };
  pointing('artifact_aliases');
  pointing('run_artifact_links');

  const metadata = pair(a.project_metadata, b.project_metadata);
  for (const [, x, y] of metadata.both) if (x.content !== y.content) emit('project_metadata', 'differ', x, y);
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

/** The artifact part of a version's identity. */
function nameOf(versionKey: string): string {
  return versionKey.slice(0, versionKey.indexOf('\0'));
}

type Row = Record<string, unknown>;

/** The row id read beside every column (`SELECT *` of a table with an INTEGER PRIMARY KEY would not name it). */
const ROWID = '__fsck_rowid';

/**
 * A side's registry. An id that names no row on its side (a dangling reference: damage that
 * `check` reports) becomes an identity no name can take, so it matches nothing on the other side.
 */
function readRegistry(db: SqliteDatabase, schema: SchemaName, tables: Map<string, Set<string>> | undefined): Registry {
  const reg: Registry = { artifacts: new Map(), artifact_versions: new Map(), artifact_aliases: new Map(), run_artifact_links: new Map(), project_metadata: new Map() };
  const rows = (table: RegistryTable): Row[] => (tables?.has(table) ? (db.prepare(`SELECT rowid AS "${ROWID}", * FROM ${schema}."${table}"`).safeIntegers(true).all() as Row[]) : []);
  const rowidOf = (r: Row) => Number(r[ROWID]);
  const artifactName = new Map<string, string>();
  for (const r of rows('artifacts')) {
    const name = text(r.name);
    artifactName.set(String(r.id), name);
    push(reg.artifacts, name, { rowid: rowidOf(r), content: contentOf(r, ['id', 'name']), label: name, type: text(r.type) });
  }
  const nameFor = (id: unknown) => artifactName.get(String(id)) ?? `\0#${String(id)}`;
  const versionKey = new Map<string, { key: string; label: string }>();
  for (const r of rows('artifact_versions')) {
    const name = nameFor(r.artifact_id);
    const digest = text(r.manifest_digest);
    const key = `${name}\0${digest}`;
    const label = `${printable(name)} v${String(r.version)} (${digest.slice(0, 12)})`;
    versionKey.set(String(r.id), { key, label });
    push(reg.artifact_versions, key, { rowid: rowidOf(r), content: contentOf(r, ['id', 'artifact_id', 'manifest_digest']), label, slot: `${name}\0${String(r.version)}` });
  }
  const versionFor = (id: unknown) => versionKey.get(String(id)) ?? { key: `\0#${String(id)}\0`, label: `version id ${String(id)} (missing)` };
  for (const r of rows('artifact_aliases')) {
    const name = nameFor(r.artifact_id);
    const target = versionFor(r.artifact_version_id);
    const content = contentOf(r, ['artifact_id', 'alias', 'artifact_version_id'], target.key);
    push(reg.artifact_aliases, `${name}\0${text(r.alias)}`, { rowid: rowidOf(r), content, label: `${printable(name)}:${text(r.alias)} -> ${target.label}`, target: target.key });
  }
  for (const r of rows('run_artifact_links')) {
    const target = versionFor(r.artifact_version_id);
    const run = r.run_id !== null && r.run_id !== undefined ? `id\0${text(r.run_id)}` : `name\0${text(r.run_name)}`;
    const label = `${text(r.run_name ?? r.run_id)} ${text(r.direction)} ${target.label}`;
    push(reg.run_artifact_links, `${run}\0${target.key}\0${text(r.direction)}`, { rowid: rowidOf(r), content: contentOf(r, ['id', 'artifact_version_id', 'direction']), label, target: target.key });
  }
  for (const r of rows('project_metadata')) push(reg.project_metadata, text(r.key), { rowid: rowidOf(r), content: contentOf(r, ['key']), label: text(r.key) });
  return reg;
}

/**
 * A digest of a row's cells other than its identity and ids, as compare reads cells elsewhere:
 * TEXT and BLOB with the same bytes are equal, an integer and a real are not.
 */
function contentOf(row: Row, skip: string[], extra?: string): string {
  const hash = createHash('sha256');
  for (const [k, v] of Object.entries(row)) {
    if (k === ROWID || skip.includes(k)) continue;
    const cell = v === null || v === undefined ? 'n' : typeof v === 'bigint' ? `i${v}` : typeof v === 'number' ? `r${v}` : Buffer.isBuffer(v) ? `s${v.toString('base64')}` : `s${Buffer.from(String(v)).toString('base64')}`;
    hash.update(`${k}\0${cell}\0`);
  }
  if (extra !== undefined) hash.update(`\0${extra}`);
  return hash.digest('hex');
}

function text(v: unknown): string {
  return Buffer.isBuffer(v) ? v.toString('utf8') : String(v);
}

/** A name for people: a dangling reference is shown as the id it names. */
function printable(name: string): string {
  return name.startsWith('\0#') ? `artifact id ${name.slice(2)} (missing)` : name;
}
