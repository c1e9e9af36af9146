import { cpSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { logArtifactVersion, makeDivergentRegistries } from '../../fixtures/build/divergentRegistries.mjs';
import { writeProject } from '../../fixtures/build/trackioDb.mjs';
import { compare } from '../../src/engine/compare/compare.js';
import { planMergeSteps } from '../../src/engine/layouts/trackioSqlite/planMergeSteps.js';
import { merge, undoRepair } from '../../src/index.js';
import { applyPlan, loadSqlite } from '../helpers/internals.js';
import { snapshot } from '../helpers/repairTree.js';
import { tempDir } from '../helpers/cli.js';

function withDb<T>(path: string, fn: (db: InstanceType<ReturnType<typeof loadSqlite>>) => T): T {
  const db = new (loadSqlite())(path, { readonly: true });
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

/** The registry by identity, ids resolved to names and digests: what must hold whatever ids each side gave. */
function registry(dataDir: string) {
  return withDb(join(dataDir, 'mnist.db'), (db) => ({
    artifacts: db.prepare('SELECT name, type FROM artifacts ORDER BY name').raw(true).all().map((r) => r.join(' ')),
    versions: db
      .prepare('SELECT a.name, v.version, substr(v.manifest_digest, 1, 8) FROM artifact_versions v JOIN artifacts a ON a.id = v.artifact_id ORDER BY a.name, v.version')
      .raw(true)
      .all()
      .map((r) => r.join(' ')),
    aliases: db
      .prepare('SELECT a.name, x.alias, v.version, substr(v.manifest_digest, 1, 8) FROM artifact_aliases x JOIN artifacts a ON a.id = x.artifact_id JOIN artifact_versions v ON v.id = x.artifact_version_id AND v.artifact_id = a.id ORDER BY a.name, x.alias')
      .raw(true)
      .all()
      .map((r) => r.join(' ')),
    links: db
      .prepare('SELECT l.run_name, l.direction, a.name, v.version FROM run_artifact_links l JOIN artifact_versions v ON v.id = l.artifact_version_id JOIN artifacts a ON a.id = v.artifact_id ORDER BY 1, 2, 3, 4')
      .raw(true)
      .all()
      .map((r) => r.join(' ')),
    metadata: db.prepare('SELECT key, value FROM project_metadata ORDER BY key').raw(true).all().map((r) => r.join('=')),
    foreignKeys: db.pragma('foreign_key_check'),
  }));
}

const digestOf = (dataDir: string, name: string, version: number) =>
  withDb(join(dataDir, 'mnist.db'), (db) => (db.prepare('SELECT substr(v.manifest_digest, 1, 8) FROM artifact_versions v JOIN artifacts a ON a.id = v.artifact_id WHERE a.name = ? AND v.version = ?').pluck().get(name, version) as string));

const userView = (dir: string) => snapshot(dir, (p) => p.startsWith('.trackio-fsck'));

describe('compare: the artifact registry and project_metadata, matched by identity, not id', () => {
  it('counts rows only in A, only in B and differing per table, lists examples by name, says so in the summary; exit 4', async () => {
    const { dir, source } = makeDivergentRegistries(tempDir());
    const r = await compare(dir, source);
    expect(r.errors).toEqual([]);
    expect(r.exitCode).toBe(4);
    const mnist = r.projects.find((p) => p.project === 'mnist')!;
    expect(mnist.equal).toBe(false);
    expect(mnist.tables.artifacts).toEqual({ a: 2, b: 2, onlyInA: 1, onlyInB: 1, differ: 0 });
    // model v1 holds other content on each side: one version that differs (the number is unique per artifact).
    expect(mnist.tables.artifact_versions).toEqual({ a: 3, b: 4, onlyInA: 1, onlyInB: 2, differ: 1 });
    expect(mnist.tables.artifact_aliases).toEqual({ a: 2, b: 4, onlyInA: 1, onlyInB: 3, differ: 1 });
    expect(mnist.tables.run_artifact_links).toEqual({ a: 3, b: 5, onlyInA: 2, onlyInB: 4, differ: 0 });
    expect(mnist.tables.project_metadata).toEqual({ a: 2, b: 3, onlyInA: 0, onlyInB: 1, differ: 1 });
    expect(mnist.examples).toContainEqual(expect.objectContaining({ kind: 'only-in-b', table: 'artifacts', key: 'dataset', rowIdB: 2 }));
    expect(mnist.examples).toContainEqual(expect.objectContaining({ kind: 'differ', table: 'artifact_versions', key: expect.stringMatching(/^model v1 \(/) }));
    expect(r.summary).toContain('artifact registry: 1 artifact, 1 version, 1 alias, 2 run links only in A; 1 artifact, 2 versions, 3 aliases, 4 run links only in B; 1 version, 1 alias differ; project_metadata: 1 key only in B; 1 key differs');
  });

  it('the same registry under other ids is equal; a table one side lacks (an older schema) counts as empty there', async () => {
    const { base } = makeDivergentRegistries(tempDir());
    const x = join(tempDir(), 'x');
    const y = join(tempDir(), 'y');
    cpSync(base, x, { recursive: true });
    cpSync(base, y, { recursive: true });
    // Logged in the other order: every new artifact, version and link has the other's id on each side.
    logArtifactVersion(x, 'mnist', 'dataset', ['rows-0'], { type: 'dataset' });
    logArtifactVersion(x, 'mnist', 'tokenizer', ['vocab'], { type: 'tokenizer', aliases: ['stable'] });
    logArtifactVersion(y, 'mnist', 'tokenizer', ['vocab'], { type: 'tokenizer', aliases: ['stable'] });
    logArtifactVersion(y, 'mnist', 'dataset', ['rows-0'], { type: 'dataset' });
    const ids = (d: string) => withDb(join(d, 'mnist.db'), (db) => db.prepare('SELECT name FROM artifacts ORDER BY id').pluck().all());
    expect(ids(x)).not.toEqual(ids(y));
    const same = await compare(x, y);
    expect(same.summary).toEqual(['A and B hold the same data: 1 project, 2 runs, 6 metrics rows']);
    expect(same.exitCode).toBe(0);

    const old = join(tempDir(), 'old');
    writeProject(old, 'mnist', { generation: 'pre-0.24', runs: 2, steps: 3 });
    const o = await compare(old, x);
    expect(o.errors).toEqual([]);
    const mnist = o.projects.find((p) => p.project === 'mnist')!;
    expect(mnist.tables.artifacts).toEqual({ a: 0, b: 3, onlyInA: 0, onlyInB: 3, differ: 0 });
    expect(mnist.tables.project_metadata).toMatchObject({ differ: 0, onlyInB: 0 });
  });
});

describe('merge: the artifact registry and project_metadata', () => {
  it('plans B rows DIR lacks, by identity; holds back what clashes or points at what stays out', async () => {
    const { dir, source } = makeDivergentRegistries(tempDir());
    const draft = await planMergeSteps(dir, source, []);
    const rows = draft.steps.find((s) => s.path === 'mnist.db')!;
    expect(Object.fromEntries(Object.entries(rows.merge!.bring!).map(([t, ids]) => [t, ids.length]))).toEqual({ artifacts: 1, artifact_versions: 2, artifact_aliases: 3, run_artifact_links: 3, project_metadata: 1 });
    expect(Object.fromEntries(Object.entries(rows.merge!.conflicts!).map(([t, ids]) => [t, ids.length]))).toEqual({ artifact_versions: 1, artifact_aliases: 1, run_artifact_links: 1, project_metadata: 1 });
    expect(draft.conflicts.map((c) => c.what)).toEqual([
      '1 artifact_versions row differs',
      '1 artifact_aliases row differs',
      '1 run_artifact_links row held back: the version it points at does not come in',
      '1 project_metadata row differs',
    ]);
    // dataset v1 lists a blob neither copy has: its row still comes in, and the plan says so.
    expect(rows.description).toContain('(1 artifact version lists blobs neither copy has: check reports them)');
  });

  it("an artifact of another type is another artifact: nothing of B's under its name comes in", async () => {
    const { base } = makeDivergentRegistries(tempDir());
    const source = join(tempDir(), 'offsite');
    cpSync(base, source, { recursive: true });
    logArtifactVersion(base, 'mnist', 'dataset', ['text-0'], { type: 'text' });
    logArtifactVersion(source, 'mnist', 'dataset', ['rows-0'], { type: 'dataset' });
    logArtifactVersion(source, 'mnist', 'dataset', ['rows-1'], { type: 'dataset', aliases: ['stable'] });
    const draft = await planMergeSteps(base, source, []);
    const rows = draft.steps.find((s) => s.path === 'mnist.db')!;
    expect(rows.merge!.bring ?? {}).toEqual({});
    expect(draft.conflicts.map((c) => c.what)).toEqual([
      '1 artifacts row differs',
      '1 artifact_versions row differs',
      '1 artifact_versions row held back: its artifact has another type here',
      '1 artifact_aliases row differs',
      '1 artifact_aliases row held back: its artifact has another type here',
      '2 run_artifact_links rows held back: its artifact has another type here',
    ]);
  });

  it('inserts them with DIR ids, references remapped, never overwriting; conflicts kept in quarantine; exact undo; a second merge changes nothing', async () => {
    const { dir, source } = makeDivergentRegistries(tempDir());
    const local1 = digestOf(dir, 'model', 1);
    const offsite1 = digestOf(source, 'model', 1);
    const before = userView(dir);
    const sourceBefore = snapshot(source);
    const outcome = await merge(source, dir, { mode: 'yes' });
    expect(outcome.exitCode).toBe(4);
    expect(snapshot(source)).toEqual(sourceBefore);
    const after = registry(dir);
    expect(after.foreignKeys).toEqual([]);
    expect(after.artifacts).toEqual(['dataset dataset', 'model model', 'tokenizer tokenizer']);
    // DIR's model v1 stays; B's v1 (other content) does not come in under another number.
    expect(after.versions).toEqual([expect.stringMatching(/^dataset 0 /), expect.stringMatching(/^dataset 1 /), expect.stringMatching(/^model 0 /), `model 1 ${local1}`, expect.stringMatching(/^tokenizer 0 /)]);
    expect(after.aliases).toEqual([expect.stringMatching(/^dataset latest 1 /), expect.stringMatching(/^dataset stable 0 /), expect.stringMatching(/^model candidate 0 /), `model latest 1 ${local1}`, expect.stringMatching(/^tokenizer latest 0 /)]);
    expect(after.links).toEqual(['run-0 output dataset 0', 'run-0 output dataset 1', 'run-0 output model 0', 'run-0 output model 1', 'run-0 output tokenizer 0', 'run-1 input dataset 0']);
    expect(after.metadata).toEqual(['created_with=trackio', 'owner=ada', 'space_id=ada/mnist-local']);
    // New rows took DIR's next ids: tokenizer keeps 2, dataset is 3 (B's id 2 would have collided).
    expect(withDb(join(dir, 'mnist.db'), (db) => db.prepare('SELECT name, id FROM artifacts ORDER BY id').raw(true).all())).toEqual([['model', 1], ['tokenizer', 2], ['dataset', 3]]);

    // B's differing rows are in quarantine, each with what its ids meant in B.
    const quarantine = Object.keys(snapshot(join(dir, 'quarantine'))).find((p) => p.endsWith('theirs/mnist.db.rows.jsonl'))!;
    const kept = readFileSync(join(dir, 'quarantine', quarantine), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { table: string; row: Record<string, unknown>; refs?: Record<string, unknown> });
    expect(kept.map((k) => k.table)).toEqual(['artifact_versions', 'artifact_aliases', 'run_artifact_links', 'project_metadata']);
    expect(kept[0]!.refs).toEqual({ artifact: 'model' });
    expect(kept[1]!.refs).toEqual({ artifact: 'model', manifest_digest: expect.stringMatching(new RegExp(`^${offsite1}`)) });
    expect(kept[3]!.row).toEqual({ key: 'space_id', value: 'ada/mnist-offsite' });

    // compare after: nothing only in B but the held-back run link; the differing rows stay.
    const c = await compare(dir, source);
    const mnist = c.projects.find((p) => p.project === 'mnist')!;
    expect(Object.fromEntries(Object.entries(mnist.tables).map(([t, d]) => [t, d.onlyInB]))).toMatchObject({ artifacts: 0, artifact_versions: 0, artifact_aliases: 0, run_artifact_links: 1, project_metadata: 0 });

    const merged = userView(dir);
    const again = await merge(source, dir, { mode: 'yes' });
    expect(again.exitCode).toBe(4);
    expect(again.kind === 'planned' && again.plan.steps).toEqual([]);
    expect(userView(dir)).toEqual(merged);

    const undone = await undoRepair(dir, {});
    expect(undone?.conflicts).toEqual([]);
    expect(userView(dir)).toEqual(before);
  });

  it("B's rows whose ids name nothing in B (damage check reports) match nothing and are held back, kept in quarantine", async () => {
    const { base } = makeDivergentRegistries(tempDir());
    const source = join(tempDir(), 'offsite');
    cpSync(base, source, { recursive: true });
    const db = new (loadSqlite())(join(source, 'mnist.db'));
    db.pragma('foreign_keys = OFF');
    db.prepare("INSERT INTO artifact_aliases (artifact_id, alias, artifact_version_id) VALUES (1, 'ghost', 999)").run();
    db.prepare("INSERT INTO artifact_versions (artifact_id, version, manifest_digest, manifest, size_bytes, created_at) VALUES (77, 0, ?, '[]', 0, 't')").run('e'.repeat(64));
    db.close();
    const c = await compare(base, source);
    expect(c.projects[0]!.examples).toContainEqual(expect.objectContaining({ kind: 'only-in-b', table: 'artifact_aliases', key: 'model:ghost -> version id 999 (missing)' }));
    expect(c.projects[0]!.examples).toContainEqual(expect.objectContaining({ kind: 'only-in-b', table: 'artifact_versions', key: `artifact id 77 (missing) v0 (${'e'.repeat(12)})` }));
    const outcome = await merge(source, base, { mode: 'yes' });
    expect(outcome.exitCode).toBe(4);
    expect(outcome.kind === 'applied' && outcome.plan.conflicts.map((x) => x.what)).toEqual([
      '1 artifact_versions row held back: its artifact is missing in the other copy',
      '1 artifact_aliases row held back: the version it points at is missing in the other copy',
    ]);
    expect(registry(base).foreignKeys).toEqual([]);
  });

  it("apply stops, changing nothing, when what B's ids stand for changed since the plan (an artifact renamed)", async () => {
    const { dir, source } = makeDivergentRegistries(tempDir());
    const draft = await planMergeSteps(dir, source, []);
    const steps = draft.steps.filter((s) => s.path === 'mnist.db').map((s, i) => ({ ...s, id: i + 1 }));
    // The alias `candidate` B brings is the same row after this; the artifact it names is not.
    const db = new (loadSqlite())(join(source, 'mnist.db'));
    db.prepare("UPDATE artifacts SET name = 'model-renamed' WHERE name = 'model'").run();
    db.close();
    const before = userView(dir);
    const err = await applyPlan({ dataDir: dir, layout: 'trackio-sqlite', steps, left: [], liveRuns: [], check: undefined as never }, [1], { command: 'test' }).catch((e: unknown) => e);
    expect((err as Error).message).toContain('changed since the merge was planned');
    expect(userView(dir)).toEqual(before);
  });

  it('B with only new registry rows: exit 1, the registries then equal, and a second merge is a no-op (exit 0)', async () => {
    const { base } = makeDivergentRegistries(tempDir());
    const source = join(tempDir(), 'offsite');
    cpSync(base, source, { recursive: true });
    logArtifactVersion(source, 'mnist', 'dataset', ['rows-0'], { type: 'dataset', aliases: ['stable'] });
    logArtifactVersion(source, 'mnist', 'dataset', ['rows-1'], { type: 'dataset', run: 1 });
    const first = await merge(source, base, { mode: 'yes' });
    expect(first.kind === 'applied' && first.plan.conflicts).toEqual([]);
    expect(first.exitCode).toBe(1);
    expect(registry(base).foreignKeys).toEqual([]);
    expect(registry(base)).toEqual(registry(source));
    expect((await compare(base, source)).exitCode).toBe(0);
    const settled = userView(base);
    const again = await merge(source, base, { mode: 'yes' });
    expect(again.exitCode).toBe(0);
    expect(userView(base)).toEqual(settled);
  });
});
