import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applySchema, leaveWalBehind, makeTrackioDir, trackioDamage, writeProject } from '../../fixtures/build/trackioDb.mjs';
import { check } from '../helpers/engine.js';
import { tempDir } from '../helpers/cli.js';
import { backupDatabase, databaseDigest, loadSqlite, manifestDigest, quarantineInvalidJsonRows, salvageDatabase } from '../helpers/internals.js';

const Database = loadSqlite();

describe('backupDatabase: the online backup API, then integrity_check on the copy', () => {
  it('copies a database with the rows still in its -wal, and leaves no -wal/-shm beside a closed source', async () => {
    const root = tempDir();
    const dataDir = makeTrackioDir(root);
    const before = readdirSync(dataDir).sort();
    await backupDatabase(join(dataDir, 'mnist.db'), join(root, 'mnist.backup.db'));
    expect(readdirSync(dataDir).sort()).toEqual(before);
    expect((await databaseDigest(join(root, 'mnist.backup.db'))).sha256).toBe((await databaseDigest(join(dataDir, 'mnist.db'))).sha256);

    await leaveWalBehind(dataDir, 'cifar', 3);
    await backupDatabase(join(dataDir, 'cifar.db'), join(root, 'cifar.backup.db'));
    const copy = new Database(join(root, 'cifar.backup.db'), { readonly: true });
    expect(copy.prepare("SELECT count(*) FROM metrics WHERE run_name = 'late'").pluck().get()).toBe(3);
    copy.close();
  });

  it('fails loudly on a damaged source and leaves no copy behind', async () => {
    const root = tempDir();
    const dataDir = makeTrackioDir(root, { steps: 300 });
    trackioDamage.corruptPage(dataDir, 'mnist');
    const dest = join(root, 'mnist.backup.db');
    await expect(backupDatabase(join(dataDir, 'mnist.db'), dest)).rejects.toThrow(/malformed|integrity_check/);
    expect(existsSync(dest)).toBe(false);
  });

  it('refuses to overwrite an existing file', async () => {
    const root = tempDir();
    const dataDir = makeTrackioDir(root);
    writeFileSync(join(root, 'taken.db'), 'keep me');
    await expect(backupDatabase(join(dataDir, 'mnist.db'), join(root, 'taken.db'))).rejects.toThrow(/already exists/);
    expect(readFileSync(join(root, 'taken.db'), 'utf8')).toBe('keep me');
  });
});

describe('quarantineInvalidJsonRows', () => {
  it('writes each bad row with its table and id, then deletes exactly those rows; a second check is clean', async () => {
    const root = tempDir();
    const dataDir = makeTrackioDir(root);
    trackioDamage.invalidJsonCell(dataDir, 'mnist', 2);
    trackioDamage.wrongShapeCell(dataDir, 'mnist', 3);
    trackioDamage.invalidJsonCell(dataDir, 'mnist', 1, 'configs', 'config');
    const db = new Database(join(dataDir, 'mnist.db'));
    const q = join(root, 'mnist.rows.jsonl');
    const result = await quarantineInvalidJsonRows(db, q);
    const left = db.prepare('SELECT id FROM metrics ORDER BY id').pluck().all();
    db.close();
    expect(result).toMatchObject({ total: 3, rows: { metrics: 2, configs: 1 } });
    expect(left).toEqual([1, 4, 5, 6, 7, 8, 9, 10]);
    const lines = readFileSync(q, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => [l.table, l.rowid])).toEqual([
      ['metrics', 2],
      ['metrics', 3],
      ['configs', 1],
    ]);
    // The quarantined bytes are the original cell, byte for byte.
    expect(Buffer.from(lines[0].row.metrics, 'base64').toString()).toBe('{"loss": 0.5, "acc');
    expect(lines[0].blobs).toEqual(['metrics']);
    expect((await check(dataDir)).report.findings).toEqual([]);
  });

  it('keeps integers beyond 2^53 exact in the quarantined row', async () => {
    const root = tempDir();
    const dataDir = makeTrackioDir(root);
    trackioDamage.invalidJsonCell(dataDir, 'mnist', 2);
    const db = new Database(join(dataDir, 'mnist.db'));
    db.prepare('UPDATE metrics SET step = ? WHERE id = 2').run(9007199254740993n);
    await quarantineInvalidJsonRows(db, join(root, 'q.jsonl'));
    db.close();
    const [line] = readFileSync(join(root, 'q.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(line.row.step).toBe('9007199254740993');
    expect(line.bigints).toEqual(['step']);
    expect(line.row.id).toBe(2);
  });

  it('never overwrites an existing quarantine file', async () => {
    const root = tempDir();
    const dataDir = makeTrackioDir(root);
    trackioDamage.invalidJsonCell(dataDir, 'mnist', 2);
    writeFileSync(join(root, 'q.jsonl'), 'earlier\n');
    const db = new Database(join(dataDir, 'mnist.db'));
    await expect(quarantineInvalidJsonRows(db, join(root, 'q.jsonl'))).rejects.toThrow(/EEXIST/);
    expect(db.prepare('SELECT count(*) FROM metrics').pluck().get()).toBe(10);
    db.close();
  });
});

describe('salvageDatabase', () => {
  it('copies every readable row around a damaged page into a fresh database with the same schema', async () => {
    const root = tempDir();
    const dataDir = makeTrackioDir(root, { steps: 400 });
    const src = join(dataDir, 'mnist.db');
    const original = readFileSync(src);
    trackioDamage.corruptPage(dataDir, 'mnist');
    const damaged = readFileSync(src);
    const dest = join(root, 'mnist.salvaged.db');
    const result = await salvageDatabase(src, dest);

    const metrics = result.tables.find((t) => t.name === 'metrics')!;
    expect(metrics.skipped).toHaveLength(1);
    const { after, before } = metrics.skipped[0]!;
    // Exactly the rows of the damaged page are lost: every row outside the skipped range is there.
    const out = new Database(dest, { readonly: true });
    const ids = out.prepare('SELECT id FROM metrics ORDER BY id').pluck().all() as number[];
    const expected = Array.from({ length: 800 }, (_, i) => i + 1).filter((id) => id <= after! || id >= before!);
    expect(ids).toEqual(expected);
    expect(metrics.copied).toBe(expected.length);
    expect(out.prepare('SELECT count(*) FROM configs').pluck().get()).toBe(2);
    const schemaOf = (db: InstanceType<typeof Database>) => db.prepare("SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name").all();
    const reference = new Database(':memory:');
    applySchema(reference, 'current');
    expect(schemaOf(out)).toEqual(schemaOf(reference));
    expect(out.prepare('PRAGMA integrity_check').pluck().get()).toBe('ok');
    out.close();
    // The original is only read.
    expect(readFileSync(src).equals(damaged)).toBe(true);
    expect(original.equals(damaged)).toBe(false);
  });

  it('a healthy database salvages to the same content digest', async () => {
    const root = tempDir();
    const dataDir = makeTrackioDir(root);
    await salvageDatabase(join(dataDir, 'mnist.db'), join(root, 's.db'));
    const a = await databaseDigest(join(dataDir, 'mnist.db'));
    const b = await databaseDigest(join(root, 's.db'));
    expect(b.tables).toEqual(a.tables);
  });
});

describe('databaseDigest: the content of a database, not its bytes', () => {
  it('is the same after VACUUM, a page-size change and a journal-mode change, and differs when one value changes', async () => {
    const root = tempDir();
    const dataDir = makeTrackioDir(root, { projects: [['p', 'pre-0.24']] });
    const path = join(dataDir, 'p.db');
    const first = await databaseDigest(path);
    const bytesBefore = readFileSync(path);
    const db = new Database(path);
    db.pragma('journal_mode = DELETE');
    db.pragma('page_size = 8192');
    db.exec('VACUUM');
    db.close();
    expect(readFileSync(path).equals(bytesBefore)).toBe(false);
    expect(await databaseDigest(path)).toEqual(first);
    const db2 = new Database(path);
    db2.prepare('UPDATE metrics SET step = 99 WHERE id = 4').run();
    db2.close();
    const changed = await databaseDigest(path);
    expect(changed.sha256).not.toBe(first.sha256);
    expect(changed.tables.filter((t, i) => t.sha256 !== first.tables[i]!.sha256).map((t) => t.name)).toEqual(['metrics']);
  });

  it('tells an integer from a real and text from a blob', async () => {
    const root = tempDir();
    const make = (name: string, value: unknown) => {
      const db = new Database(join(root, name));
      db.exec('CREATE TABLE t (v)');
      db.prepare('INSERT INTO t VALUES (?)').run(value);
      db.close();
      return databaseDigest(join(root, name));
    };
    const digests = await Promise.all([make('a.db', 1), make('b.db', 1.5), make('c.db', 'x'), make('d.db', Buffer.from('x'))]);
    expect(new Set(digests.map((d) => d.sha256)).size).toBe(4);
  });

  it('includes rows still in the -wal and leaves the directory as found', async () => {
    const dataDir = makeTrackioDir(tempDir(), { projects: [['p', 'pre-0.24']] });
    await leaveWalBehind(dataDir, 'p', 2);
    const listing = readdirSync(dataDir).map((f) => [f, readFileSync(join(dataDir, f === 'media' ? 'p.lock' : f)).length]);
    const d = await databaseDigest(join(dataDir, 'p.db'));
    expect(d.tables.find((t) => t.name === 'metrics')!.rows).toBe(12);
    expect(readdirSync(dataDir).map((f) => [f, readFileSync(join(dataDir, f === 'media' ? 'p.lock' : f)).length])).toEqual(listing);
  });
});

describe('manifestDigest', () => {
  it("is the SHA-256 of orjson's OPT_SORT_KEYS output: keys sorted, no spaces", () => {
    const expected = createHash('sha256').update('[{"digest":"ab","path":"w.bin","size":3}]').digest('hex');
    expect(manifestDigest([{ size: 3, path: 'w.bin', digest: 'ab' }])).toBe(expected);
    expect(manifestDigest([{ digest: 'ab', size: 3, path: 'w.bin' }])).toBe(expected);
    expect(manifestDigest([{ digest: 'ab', path: 'w.bin', size: 4 }])).not.toBe(expected);
  });
});
