import { describe, expect, it } from 'vitest';
import { makeTrackioDir } from '../../fixtures/build/trackioDb.mjs';
import { tempDir } from '../helpers/cli.js';
import { loadSqlite } from '../helpers/internals.js';
import { checkDatabase } from '../../src/engine/layouts/trackioSqlite/checkDatabase.js';
import type { Finding } from '../../src/engine/finding.js';

// check judges most JSON cells in SQLite (json_valid and friends, rowsNeedingJs) and brings only
// the rest into JavaScript; `rowByRow` makes it judge every cell in JavaScript, as it did before.
// Both must report the same findings, in the same order, with the same counts, on a sweep of
// damaged cells as writers and damage make them.

const orjson = (v: unknown) => Buffer.from(JSON.stringify(v));
/** Cells whose bytes are UTF-8 without NUL: SQLite judges the chunk that holds them. */
const textCells: unknown[] = [
  orjson({ loss: 0.25, lr: 3e-5, 'val/損失': 1, phase: 'warmup', lrs: [0.1, 0.01], ok: true }),
  JSON.stringify({ loss: 1 }),
  '{"loss": NaN, "acc": Infinity}',
  '{"loss": -Infinity}',
  '{"loss": "NaN"}',
  orjson({ img: { _type: 'trackio.image', file_path: 'p/r/1/missing.png', caption: null } }),
  Buffer.from('{"img":{"\\u005ftype":"trackio.image","file_path":"gone.png"}}'),
  Buffer.from('{"caf\\u00e9":1}'),
  orjson({ caption: 'naïve ☕' }),
  ' {"a":1}',
  '\n{"a":1}\n',
  '{"a":1} ',
  '[1, 2]',
  '"text"',
  '12',
  'null',
  '{}',
  '',
  '{"a":1',
  '{"a":.5}',
  '{"a":+1}',
  "{'a':1}",
  '{a:1}',
  '{"a":1,}',
  '{"a":1e400}',
  '{"a":"\\x"}',
  '{"a":"\t"}',
  '\ufeff{"a":1}',
  '{"a":1}/**/',
  12,
  1.5,
];
/** Cells SQLite cannot judge (NUL bytes, bytes that are not UTF-8): their chunk goes to JavaScript whole. */
const byteCells: unknown[] = [
  Buffer.from('{"a":"\x80"}', 'latin1'),
  Buffer.from('{"a":"\xc0\x80"}', 'latin1'),
  Buffer.from('{"a":"\xed\xa0\x80"}', 'latin1'),
  Buffer.from('{"a":1}\0'),
  '{"a":1}\0',
];
const steps: unknown[] = [0, 7, -1, 2.5, Buffer.from('4')];

/** A data dir of one project of `generation` whose metrics (and other JSON) cells are the sweep. */
function damagedDataDir(generation: string, cells: unknown[]): string {
  const dataDir = makeTrackioDir(tempDir(), { projects: [['p', generation]], runs: 2, steps: 1000 });
  const Database = loadSqlite();
  const db = new Database(`${dataDir}/p.db`);
  try {
    const ids = db.prepare('SELECT id FROM metrics ORDER BY id').pluck().all() as number[];
    const update = db.prepare('UPDATE metrics SET metrics = ?, step = ? WHERE id = ?');
    let k = 0;
    for (const cell of cells) for (const step of steps) update.run(cell, step, ids[(k++ * 7) % ids.length]);
    // The other JSON tables get the cells in turn, as many as they have rows.
    const tables = new Set(db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[]);
    for (const [table, column] of [['configs', 'config'], ['system_metrics', 'metrics']] as const) {
      if (!tables.has(table)) continue; // 0.3.x has no configs table
      const tableIds = db.prepare(`SELECT id FROM ${table} ORDER BY id`).pluck().all() as number[];
      tableIds.forEach((id, i) => db.prepare(`UPDATE ${table} SET ${column} = ? WHERE id = ?`).run(cells[(i * 5) % cells.length], id));
    }
  } finally {
    db.close();
  }
  return dataDir;
}

async function findings(dataDir: string, rowByRow: boolean) {
  const out: Finding[] = [];
  const result = await checkDatabase({ dataDir, project: 'p', live: false, full: false, emit: (f) => out.push(f), rowByRow });
  return { out, result };
}

describe('sqlite check: the cells SQLite judges and the row-by-row scan report the same', () => {
  for (const generation of ['current', 'pre-0.24', 'v0.3']) {
    for (const [what, cells] of [
      ['UTF-8 cells (judged in SQLite)', textCells],
      ['with NUL and non-UTF-8 cells', [...textCells, ...byteCells]],
    ] as const) {
      it(`${generation}, ${what}`, async () => {
        const dataDir = damagedDataDir(generation, cells);
        const fast = await findings(dataDir, false);
        const slow = await findings(dataDir, true);
        expect(fast.out).toEqual(slow.out);
        expect(fast.result).toEqual(slow.result);
        // The comparison means something only if the sweep made every kind of finding, past the cap.
        const codes = new Set(slow.out.map((f) => f.code));
        for (const code of ['sqlite/invalid-json', 'sqlite/json-schema', 'sqlite/nonfinite-number', 'trackio/missing-media']) expect([code, codes.has(code)]).toEqual([code, true]);
        expect(slow.out.some((f) => (f.more ?? 0) > 0)).toBe(true);
      });
    }
  }
});
