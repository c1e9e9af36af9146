import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeTrackioDir } from '../../fixtures/build/trackioDb.mjs';
import { addLogIds } from '../../fixtures/build/trackioOperations.mjs';
import { findDuplicateRows } from '../../src/engine/layouts/trackioSqlite/checks/duplicateRows.js';
import { canonicalMetrics } from '../../src/engine/layouts/trackioSqlite/checks/canonicalMetrics.js';
import { loadSqlite, type SqliteDatabase } from '../../src/engine/layouts/trackioSqlite/loadSqlite.js';
import { tempDir } from '../helpers/cli.js';

/** A row to add: a copy of (run, step)'s row with these columns changed. */
type Insert = { of?: [string, number]; set?: Record<string, unknown> };

/**
 * One shape of rows that a rename/move plus replay leaves, or that merely look alike: the rows to
 * add to a healthy 'current' project whose rows all carry a log_id, and which added rows (by their
 * position in `add`) must be found as duplicates.
 */
interface Shape {
  name: string;
  add: Insert[];
  duplicates: number[];
  /** Turn the log_ids of these (run, step) rows off first: rows logged before log_id existed. */
  before?: (db: SqliteDatabase) => void;
}

const text = (value: unknown) => JSON.stringify(value);
const shapes: Shape[] = [
  { name: 'a re-inserted copy (no log_id) of a logged row', add: [{}], duplicates: [0] },
  { name: 'two copies of one logged row: one is the duplicate, the lower id stays', add: [{}, {}], duplicates: [1] },
  { name: 'a copy whose JSON has another key order, spacing and TEXT storage', add: [{ set: { metrics: '{"accuracy": 0.791667, "loss": 0.625}' } }], duplicates: [0] },
  { name: 'a copy of a row holding NaN (the string Trackio stores)', add: [{ of: ['run-0', 2], set: { log_id: 'f'.repeat(32), metrics: Buffer.from(text({ loss: 'NaN', accuracy: 0.5 })) } }, { of: ['run-0', 2], set: { metrics: Buffer.from(text({ loss: 'NaN', accuracy: 0.5 })) } }], duplicates: [1] },
  { name: 'a bare NaN (0.3.x TEXT) against the string "NaN": read alike by Trackio', add: [{ of: ['run-0', 2], set: { log_id: 'e'.repeat(32), metrics: Buffer.from(text({ loss: 'NaN' })) } }, { of: ['run-0', 2], set: { metrics: '{"loss": NaN}' } }], duplicates: [1] },
  { name: 'the same values logged twice with two log_ids: two log calls', add: [{ set: { log_id: 'd'.repeat(32) } }], duplicates: [] },
  { name: 'the same step logged again with other metrics', add: [{ set: { metrics: Buffer.from(text({ loss: 0.1, accuracy: 0.9 })) } }], duplicates: [] },
  { name: 'a partial copy: a subset of the metrics', add: [{ set: { metrics: Buffer.from(text({ loss: 0.625 })) } }], duplicates: [] },
  { name: '1 and 1.0: an int and a float to Python', add: [{ of: ['run-0', 1], set: { log_id: 'c'.repeat(32), metrics: '{"epoch": 1}' } }, { of: ['run-0', 1], set: { metrics: '{"epoch": 1.0}' } }], duplicates: [] },
  { name: 'another timestamp: a second log call, not a copy', add: [{ set: { timestamp: '2026-01-01T11:00:00.000000+00:00' } }], duplicates: [] },
  { name: 'another run_name with the same run_id (a replay after a rename): not judged', add: [{ set: { run_name: 'renamed' } }], duplicates: [] },
  { name: 'another run_id with the same name', add: [{ set: { run_id: 'other-run-id' } }], duplicates: [] },
  { name: 'a copy still queued for a Space (space_id set): not what a rename leaves', add: [{ set: { space_id: 'ada/space' } }], duplicates: [] },
  { name: 'another step', add: [{ set: { step: 4 } }], duplicates: [] },
  {
    name: 'rows that all lack a log_id (the same values logged twice): allowed',
    before: (db) => db.exec("UPDATE metrics SET log_id = NULL WHERE run_name = 'run-1'"),
    add: [{}],
    duplicates: [],
  },
  {
    name: 'a renamed run replayed whole: every copy, not the rows logged once',
    before: (db) => db.exec("UPDATE metrics SET log_id = NULL WHERE run_name = 'run-1'"),
    add: [0, 1, 2, 3, 4].map((step) => ({ of: ['run-1', step] as [string, number], set: { log_id: `${step}`.repeat(32) } })),
    // The added rows carry the log_ids: the duplicates are the original rows, reported below by id.
    duplicates: [],
  },
];

function project(): { db: SqliteDatabase; close: () => void } {
  const dataDir = makeTrackioDir(tempDir(), { projects: [['mnist', 'current']] });
  addLogIds(dataDir, 'mnist');
  const db = new (loadSqlite())(join(dataDir, 'mnist.db'));
  return { db, close: () => db.close() };
}

function insert(db: SqliteDatabase, { of = ['run-1', 3], set = {} }: Insert): number {
  const row = db.prepare('SELECT run_id, timestamp, run_name, step, metrics, log_id, space_id FROM metrics WHERE run_name = ? AND step = ? ORDER BY id LIMIT 1').get(of[0], of[1]) as Record<string, unknown>;
  const values = { ...row, log_id: null, space_id: null, ...set };
  const cols = Object.keys(values);
  return Number(db.prepare(`INSERT INTO metrics (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`).run(...cols.map((c) => values[c])).lastInsertRowid);
}

const columns = (db: SqliteDatabase) => new Set(db.prepare("SELECT name FROM pragma_table_info('metrics')").pluck().all() as string[]);

describe('trackio/duplicate-rows: which rows are second copies (Trackio 0.36: log_id is the only identity)', () => {
  for (const shape of shapes) {
    it(shape.name, () => {
      const { db, close } = project();
      try {
        shape.before?.(db);
        const ids = shape.add.map((row) => insert(db, row));
        const found = findDuplicateRows(db, columns(db)).map((d) => d.rowId);
        if (shape.name.startsWith('a renamed run replayed whole')) {
          // The run's 5 original rows (ids 6-10, no log_id now) are the copies of the 5 replayed ones.
          expect(found).toEqual([6, 7, 8, 9, 10]);
        } else {
          expect(found).toEqual(shape.duplicates.map((i) => ids[i]));
        }
      } finally {
        close();
      }
    });
  }

  it('each copy is matched to one logged row: n logged, m copies leave max(n, m) rows', () => {
    for (const [logged, copies] of [[1, 3], [2, 2], [3, 1], [2, 3]] as const) {
      const { db, close } = project();
      try {
        // run-1 step 3 holds one logged row already.
        for (let i = 1; i < logged; i++) insert(db, { set: { log_id: `${i}`.repeat(32) } });
        const added = Array.from({ length: copies }, () => insert(db, {}));
        const found = findDuplicateRows(db, columns(db));
        expect(found.map((d) => d.rowId)).toEqual(added.slice(copies - Math.min(logged, copies)));
        expect(new Set(found.map((d) => d.keptRowId)).size).toBe(found.length);
      } finally {
        close();
      }
    }
  });

  it('canonicalMetrics: one text for the same metrics, another for other values', () => {
    const same = ['{"a":1,"b":[1,{"y":2,"x":"s"}]}', '{ "b" : [1, {"x": "s", "y": 2}], "a": 1 }', Buffer.from('{"b":[1,{"x":"\\u0073","y":2}],"a":1}')];
    expect(new Set(same.map(canonicalMetrics)).size).toBe(1);
    const differ = ['{"a":1}', '{"a":1.0}', '{"a":"1"}', '{"a":9007199254740993}', '{"a":9007199254740992}', '{"a":NaN}', '{"a":Infinity}', '{"a":-Infinity}', '{"a":null}'];
    expect(new Set(differ.map(canonicalMetrics)).size).toBe(differ.length);
    expect(canonicalMetrics('{"a":NaN}')).toBe(canonicalMetrics('{"a":"NaN"}'));
    for (const notAnObject of ['[1]', '"x"', '{"a":1', '{"a":1} x', '', null, 7, Buffer.from([0xff])]) expect(canonicalMetrics(notAnObject)).toBeUndefined();
  });
});
