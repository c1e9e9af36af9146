import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { healFromSnapshot, type LostRows } from '../../src/engine/layouts/trackioSqlite/salvage/healFromSnapshot.js';
import { loadSqlite } from '../../src/engine/layouts/trackioSqlite/loadSqlite.js';
import { tempDir } from '../helpers/cli.js';

const SCHEMA = [
  'CREATE TABLE metrics (id INTEGER PRIMARY KEY AUTOINCREMENT, run_id TEXT NOT NULL, timestamp TEXT NOT NULL, run_name TEXT NOT NULL, step INTEGER NOT NULL, metrics TEXT NOT NULL, log_id TEXT, space_id TEXT)',
  'CREATE UNIQUE INDEX idx_metrics_log_id ON metrics(log_id) WHERE log_id IS NOT NULL',
  'CREATE TABLE project_metadata (key TEXT PRIMARY KEY, value TEXT NOT NULL)',
  'CREATE TABLE configs (id INTEGER PRIMARY KEY AUTOINCREMENT, run_id TEXT NOT NULL, run_name TEXT NOT NULL, config TEXT NOT NULL, created_at TEXT NOT NULL, UNIQUE(run_id))',
];

function makeDb(path: string, fill: (db: InstanceType<ReturnType<typeof loadSqlite>>) => void): void {
  const db = new (loadSqlite())(path);
  for (const s of SCHEMA) db.exec(s);
  fill(db);
  db.close();
}

const metric = (db: InstanceType<ReturnType<typeof loadSqlite>>, id: number, logId: string | null) =>
  db.prepare("INSERT INTO metrics (id, run_id, timestamp, run_name, step, metrics, log_id) VALUES (?, 'r1', 't', 'run-1', ?, '{}', ?)").run(id, id, logId);

function snapshotOf(path: string) {
  const bytes = readFileSync(path);
  return { path, sha256: createHash('sha256').update(bytes).digest('hex'), size: bytes.length, label: 'backup test' };
}

function read(path: string, sql: string): unknown[] {
  const db = new (loadSqlite())(path, { readonly: true });
  try {
    return db.prepare(sql).raw(true).all();
  } finally {
    db.close();
  }
}

describe('healFromSnapshot: rows a salvage could not read, from a verified snapshot', () => {
  function pair() {
    const dir = tempDir();
    const snap = join(dir, 'snap.db');
    const dest = join(dir, 'dest.db');
    makeDb(snap, (db) => {
      for (let id = 1; id <= 10; id++) metric(db, id, `log-${id}`);
      db.exec("INSERT INTO project_metadata (rowid, key, value) VALUES (1, 'a', 'A'), (2, 'b', 'B'), (3, 'c', 'C')");
      db.exec("INSERT INTO configs (id, run_id, run_name, config, created_at) VALUES (1, 'r1', 'run-1', '{}', 't'), (2, 'r2', 'run-2', '{\"old\": 1}', 't')");
      db.exec("UPDATE sqlite_sequence SET seq = 50 WHERE name = 'metrics'");
    });
    // The salvage: rows 4-6 on a damaged page (row 5 was found elsewhere under id 11), row 2 deleted since the snapshot;
    // project_metadata's rowid 2 holds another key; configs' run r2 was re-created under a new id.
    makeDb(dest, (db) => {
      for (const id of [1, 3, 7, 8, 9, 10]) metric(db, id, `log-${id}`);
      metric(db, 11, 'log-5');
      db.exec("INSERT INTO project_metadata (rowid, key, value) VALUES (1, 'a', 'A'), (2, 'z', 'Z')");
      db.exec("INSERT INTO configs (id, run_id, run_name, config, created_at) VALUES (1, 'r1', 'run-1', '{}', 't'), (5, 'r2', 'run-2', '{\"new\": 1}', 't')");
    });
    return { snap, dest };
  }

  it('takes only rows in unread ranges, skips those held by key or log_id, keeps the newer row on a UNIQUE clash, raises AUTOINCREMENT', async () => {
    const { snap, dest } = pair();
    const lost: LostRows = { everywhere: false, ranges: new Map([['metrics', [{ after: 3, before: 7 }]], ['project_metadata', [{ after: null, before: null }]], ['configs', [{ after: 1, before: null }]]]) };
    const r = await healFromSnapshot(dest, snapshotOf(snap), lost);
    expect(r.note).toBeUndefined();
    expect(read(dest, 'SELECT id, log_id FROM metrics ORDER BY id')).toEqual([[1, 'log-1'], [3, 'log-3'], [4, 'log-4'], [6, 'log-6'], [7, 'log-7'], [8, 'log-8'], [9, 'log-9'], [10, 'log-10'], [11, 'log-5']]);
    // 'b' comes back under a new rowid (2 holds 'z'), 'c' under its own.
    expect(read(dest, 'SELECT key FROM project_metadata ORDER BY key')).toEqual([['a'], ['b'], ['c'], ['z']]);
    expect(read(dest, "SELECT rowid FROM project_metadata WHERE key = 'c'")).toEqual([[3]]);
    // configs row 2 (run r2) clashes with the salvaged, newer row 5 on UNIQUE(run_id): the salvaged one stays.
    expect(read(dest, 'SELECT id, config FROM configs ORDER BY id')).toEqual([[1, '{}'], [5, '{"new": 1}']]);
    expect(r.byTable).toEqual({ metrics: 2, project_metadata: 2 });
    expect(r.healed).toBe(4);
    expect(r.present).toBe(1 + 1); // metrics 5 (by log_id), project_metadata 'a'
    expect(r.refused).toBe(1);
    expect(r.absentElsewhere).toBe(1); // metrics 2: deleted since the snapshot, outside every unread range
    expect(read(dest, "SELECT seq FROM sqlite_sequence WHERE name = 'metrics'")).toEqual([[50]]);
    expect(read(dest, 'PRAGMA integrity_check')).toEqual([['ok']]);
    // Run again: nothing more comes (never twice).
    const again = await healFromSnapshot(dest, snapshotOf(snap), lost);
    expect(again.healed).toBe(0);
  });

  it('everywhere (no b-tree read): every absent row comes back', async () => {
    const { snap, dest } = pair();
    const r = await healFromSnapshot(dest, snapshotOf(snap), { everywhere: true, ranges: new Map() });
    expect(read(dest, 'SELECT id FROM metrics ORDER BY id').flat()).toEqual([1, 2, 3, 4, 6, 7, 8, 9, 10, 11]);
    expect(r.absentElsewhere).toBe(0);
  });

  it('a snapshot whose bytes no longer hash to the recorded SHA-256 is not used, and nothing is written', async () => {
    const { snap, dest } = pair();
    const recorded = snapshotOf(snap);
    const bytes = readFileSync(snap);
    bytes[bytes.length - 1] ^= 1;
    writeFileSync(snap, bytes);
    const before = readFileSync(dest);
    const r = await healFromSnapshot(dest, recorded, { everywhere: true, ranges: new Map() });
    expect(r.healed).toBe(0);
    expect(r.note).toMatch(/no longer hashes/);
    expect(readFileSync(dest)).toEqual(before);
  });
});
