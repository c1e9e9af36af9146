import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadSqlite } from '../helpers/internals.js';
import { inspectCell, mediaPaths } from '../../src/engine/layouts/trackioSqlite/inspectCell.js';
import { canJudgeInSqlite, rowsNeedingJs, type RowTally } from '../../src/engine/layouts/trackioSqlite/rowsNeedingJs.js';
import type { JsonColumn } from '../../src/engine/layouts/trackioSqlite/trackioSchema.js';

// check lets SQLite pass the JSON cells it can judge and brings only the rest into JavaScript. The
// rows it does not bring must be exactly rows inspectCell would pass without a word: no finding,
// no bare NaN, no media file to look for. Swept over cells as writers and damage make them.

const orjson = (v: unknown) => Buffer.from(JSON.stringify(v));
const record = { loss: 0.25, lr: 3e-5, 'val/損失': 1, phase: 'warmup', lrs: [0.1, 0.01], ok: true };
/** Cells valid and not, each a [value to bind, label]. */
const cells: unknown[] = [
  orjson(record),
  orjson({ loss: 1 }),
  JSON.stringify({ loss: 1 }), // TEXT, as before 0.5
  '{"loss": NaN, "acc": Infinity}', // 0.3.x TEXT with bare tokens
  '{"loss": "NaN"}',
  orjson({ img: { _type: 'trackio.image', file_path: 'p/r/1/a.png', caption: null } }),
  Buffer.from('{"img":{"\\u005ftype":"trackio.image","file_path":"x.png"}}'),
  Buffer.from('{"caf\\u00e9":1}'),
  orjson({ caption: 'naïve ☕' }),
  Buffer.from('{"a":"\x80"}', 'latin1'), // a flipped high bit: not UTF-8
  Buffer.from('{"a":"\xc3"}', 'latin1'),
  Buffer.from('{"a":"\xc0\x80"}', 'latin1'), // overlong
  Buffer.from('{"a":"\xed\xa0\x80"}', 'latin1'), // a surrogate
  Buffer.from('{"a":1}\0'),
  Buffer.from('{"a":"\0"}'),
  '{"a":1}\0',
  ' {"a":1}',
  '\n{"a":1}\n',
  '{"a":1} ',
  '[1, 2]',
  orjson([{ role: 'user' }]),
  '"text"',
  '12',
  'null',
  '{}',
  '[]',
  '',
  '{"a":1',
  '{"a":.5}',
  '{"a":+1}',
  "{'a':1}",
  '{a:1}',
  '{"a":1,}',
  '{"a":0x10}',
  '{"a":1e400}',
  '{"a":"\\x"}',
  '{"a":"\t"}',
  '\ufeff{"a":1}',
  '{"a":1}/**/',
  12,
  1.5,
  null,
];
const steps: unknown[] = [0, 1, 7, 123456, -1, 2.0, 2.5, '3', null, Buffer.from('4')];
const runNames: unknown[] = ['run-0', 'run-1', 'rün-2', null, 5, Buffer.from('run-0')];

const specs: JsonColumn[] = [
  { table: 'metrics', column: 'metrics', shape: 'metrics', media: true },
  { table: 'configs', column: 'config', shape: 'object' },
  { table: 'traces', column: 'messages', shape: 'list', media: true },
  { table: 'artifact_versions', column: 'metadata', shape: 'object', nullable: true },
];

function database(rows: Array<{ rowId: number; run: unknown; step: unknown; cell: unknown }>) {
  const Database = loadSqlite();
  const db = new Database(':memory:');
  db.exec('CREATE TABLE metrics (id INTEGER PRIMARY KEY, run_name TEXT, step INTEGER, metrics BLOB)');
  db.exec('CREATE TABLE configs (id INTEGER PRIMARY KEY, run_name TEXT, config BLOB)');
  db.exec('CREATE TABLE traces (id INTEGER PRIMARY KEY, run_name TEXT, messages BLOB)');
  db.exec('CREATE TABLE artifact_versions (id INTEGER PRIMARY KEY, metadata TEXT)');
  const insert = {
    metrics: db.prepare('INSERT INTO metrics VALUES (?, ?, ?, ?)'),
    configs: db.prepare('INSERT INTO configs VALUES (?, ?, ?)'),
    traces: db.prepare('INSERT INTO traces VALUES (?, ?, ?)'),
    artifact_versions: db.prepare('INSERT INTO artifact_versions VALUES (?, ?)'),
  };
  db.transaction(() => {
    for (const r of rows) {
      insert.metrics.run(r.rowId, r.run, r.step, r.cell);
      insert.configs.run(r.rowId, r.run, r.cell);
      insert.traces.run(r.rowId, r.run, r.cell);
      insert.artifact_versions.run(r.rowId, r.cell);
    }
  })();
  return db;
}

/** What the per-row scan would do with a row: nothing to say, or something. */
function quiet(spec: JsonColumn, row: unknown[]): boolean {
  const [, , step, cell] = row;
  const verdict = inspectCell(spec.shape, cell, spec.shape === 'metrics' ? step : undefined, spec.nullable);
  return verdict.ok && !verdict.nonfinite && (!spec.media || mediaPaths(verdict.value).length === 0);
}

function checkTable(db: ReturnType<typeof database>, spec: JsonColumn, chunkRows: number) {
  const select = ['rowid', spec.table === 'artifact_versions' ? 'NULL' : 'run_name', spec.table === 'metrics' ? 'step' : 'NULL', `"${spec.column}"`, 'NULL', 'NULL'];
  const hasRun = spec.table !== 'artifact_versions';
  const all = db.prepare(`SELECT ${select.join(', ')} FROM "${spec.table}"`).raw(true).all() as unknown[][];
  const tally: RowTally = { rows: 0, runs: new Set(), doneThrough: -Infinity };
  expect(canJudgeInSqlite(db, spec)).toBe(true);
  const yielded = [...rowsNeedingJs(db, spec, select, hasRun, spec.table === 'metrics', tally, chunkRows)];
  const ids = yielded.map((r) => r[0] as number);
  // In rowid order, each once, as the rows themselves.
  expect(ids).toEqual([...ids].sort((a, b) => a - b));
  expect(new Set(ids).size).toBe(ids.length);
  const byId = new Map(all.map((r) => [r[0] as number, r]));
  const same = (a: unknown, b: unknown) => (Buffer.isBuffer(a) && Buffer.isBuffer(b) ? a.equals(b) : Object.is(a, b));
  const differ = yielded.filter((r) => !r.every((v, k) => same(v, byId.get(r[0] as number)![k])));
  expect(differ).toEqual([]);
  // Every row left out is one the per-row scan passes in silence.
  const idSet = new Set(ids);
  const left = all.filter((r) => !idSet.has(r[0] as number));
  const loud = left.filter((r) => !quiet(spec, r));
  expect(loud.map((r) => [spec.table, r[0], r[2], String(r[3])])).toEqual([]);
  // The rows and run names of the whole table, as the per-row scan counts them.
  expect(tally.rows).toBe(all.length);
  expect([...tally.runs!].sort()).toEqual([...new Set(all.map((r) => r[1]).filter((n) => typeof n === 'string'))].sort());
  return { yielded: ids.length, left: left.length };
}

describe('rowsNeedingJs: the rows SQLite passes are rows the per-row scan passes in silence', () => {
  it('every cell x step x run name, in chunks of several sizes, dense and sparse rowids', () => {
    const rows = [];
    let rowId = 1;
    for (const cell of cells) for (const step of steps) for (const run of runNames) rows.push({ rowId: rowId++, run, step, cell });
    // A run of clean rows too, so that most chunks pass whole.
    for (let i = 0; i < 3000; i++) rows.push({ rowId: rowId++, run: `run-${i % 3}`, step: i, cell: orjson({ loss: 1 / (i + 1), lr: 3e-5 }) });
    const sparse = rows.map((r, i) => ({ ...r, rowId: i * 37 + (i % 5) - 400 }));
    for (const layout of [rows, sparse]) {
      const db = database(layout);
      for (const spec of specs) {
        for (const chunkRows of [3, 500, 50_000]) {
          const { left } = checkTable(db, spec, chunkRows);
          // The comparison means something only if SQLite passed most rows itself (the clean rows
          // are objects, not lists; one chunk of the whole table holds a non-UTF-8 cell, so it goes whole).
          if (spec.shape !== 'list' && chunkRows < 50_000) expect([spec.table, chunkRows, left > 2500]).toEqual([spec.table, chunkRows, true]);
        }
      }
      db.close();
    }
  });

  it('records cut, or with one byte changed, as BLOB and TEXT (fast-check)', () => {
    const damaged = fc
      .tuple(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.constantFrom('cut', 'replace', 'insert'), fc.boolean(), fc.integer({ min: 0, max: 30 }))
      .map(([at, byte, how, asText, step]) => {
        const bytes = orjson({ ...record, step, img: step % 3 ? undefined : { _type: 'trackio.image', file_path: `a/${step}.png` } });
        const i = at % (bytes.length + 1);
        const b = how === 'cut' ? bytes.subarray(0, i) : how === 'replace' ? Buffer.concat([bytes.subarray(0, i), Buffer.from([byte]), bytes.subarray(i + 1)]) : Buffer.concat([bytes.subarray(0, i), Buffer.from([byte]), bytes.subarray(i)]);
        return asText ? b.toString('latin1') : b;
      });
    fc.assert(
      fc.property(fc.array(damaged, { minLength: 1, maxLength: 40 }), fc.integer({ min: 1, max: 16 }), (list, chunkRows) => {
        const db = database(list.map((cell, i) => ({ rowId: i + 1, run: 'r', step: i, cell })));
        try {
          checkTable(db, specs[0]!, chunkRows);
          checkTable(db, specs[1]!, chunkRows);
        } finally {
          db.close();
        }
      }),
      { numRuns: 200 },
    );
  });
});
