import { mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { salvagePages } from '../../src/engine/layouts/trackioSqlite/salvage/salvagePages.js';
import { salvageWithSqlite } from '../../src/engine/layouts/trackioSqlite/salvageDatabase.js';
import { buildSource, Database, foreignWal, readRows, recoverRows, rowsSqliteReads, sourceWithWal, writeCase, type SweepSource } from './salvageSweep.helpers.js';

/**
 * The salvage sweep: copies of databases of each schema generation, damaged one way each (a
 * flipped byte in the header and in every kind of page, truncation, a -wal of another database,
 * a torn -wal), salvaged page by page. Per case it asserts a floor: every row on undamaged pages
 * is kept (a damaged leaf page may cost its own rows, a damaged overflow page its one row), no
 * row comes from elsewhere (another database, deleted rows), and the result passes
 * integrity_check (salvagePages checks it). `npm test` runs a sample; TRACKIO_FSCK_FULL_SWEEPS=1
 * runs every offset and size; TRACKIO_FSCK_SQLITE3=<a sqlite3 shell with .recover> counts
 * .recover's rows on the same cases. The totals per damage class are printed at the end.
 */
const FULL = process.env.TRACKIO_FSCK_FULL_SWEEPS === '1';
const SQLITE3 = process.env.TRACKIO_FSCK_SQLITE3;
/** Also count the rows of the salvage through SQLite (salvageWithSqlite), the method the page-level one replaced. */
const VIA_SQLITE = process.env.TRACKIO_FSCK_COMPARE_SQLITE_SALVAGE === '1';
const GENERATIONS = FULL ? ['v0.3', 'pre-0.24', 'current', 'upgraded'] : ['v0.3', 'pre-0.24', 'current'];
const STEPS = FULL ? 600 : 250;

const root = join(tmpdir(), `trackio-fsck-sweep-${process.pid}`);
afterAll(() => rmSync(root, { recursive: true, force: true }));

interface Tally {
  cases: number;
  rows: number;
  floor: number;
  ours: number;
  recover: number;
  recoverCases: number;
  unplaced: number;
  /** Cases where .recover kept more of the expected rows than the page-level salvage. */
  behindRecover: string[];
  viaSqlite: number;
  behindSqlite: string[];
}
const tallies = new Map<string, Tally>();
afterAll(() => {
  const lines = [...tallies].map(([k, t]) => `${k.padEnd(22)} cases ${String(t.cases).padStart(4)}  rows ${String(t.rows).padStart(8)}  floor ${String(t.floor).padStart(8)}  kept ${String(t.ours).padStart(8)}  unplaced ${String(t.unplaced).padStart(6)}${t.recoverCases ? `  .recover ${String(t.recover).padStart(8)} (${t.recoverCases} cases, ${t.behindRecover.length} behind it${t.behindRecover.length ? `: ${t.behindRecover.slice(0, 3).join('; ')}` : ''})` : ''}${VIA_SQLITE ? `  via SQLite ${t.viaSqlite} (${t.behindSqlite.length} cases behind it${t.behindSqlite.length ? `: ${t.behindSqlite.slice(0, 3).join('; ')}` : ''})` : ''}`);
  console.log(`salvage sweep (${FULL ? 'full' : 'sample'}):\n${lines.join('\n')}`);
});

interface Case {
  name: string;
  kind: string;
  db: Buffer;
  wal?: Buffer;
  /** The rows that must come back (key -> content), and how many of them at least. */
  expected: Map<string, string>;
  floor: number;
  /** Rows that may come back altered or invented: the damaged page's own cells. */
  slack: number;
  /**
   * Deleted rows that may come back: a truncation that cut off the freelist's trunk leaves free
   * pages indistinguishable from leaves it cut off from their tree, and those pages' copies of live
   * rows are what a cut-off range keeps; deleted rows among them come back too.
   */
  mayReturn?: Set<string>;
}

function flip(bytes: Buffer, offset: number): Buffer {
  const b = Buffer.from(bytes);
  b[offset] = b[offset]! ^ 0x5a;
  return b;
}

function pick<T>(items: T[], n: number): T[] {
  if (items.length <= n) return items;
  const step = items.length / n;
  return Array.from({ length: n }, (_, i) => items[Math.floor(i * step)]!);
}

function casesOf(src: SweepSource): Case[] {
  const cases: Case[] = [];
  const all = src.truth.size;
  const headerOffsets = FULL ? Array.from({ length: 100 }, (_, i) => i) : [0, 16, 17, 20, 32, 40, 56];
  for (const o of headerOffsets) cases.push({ name: `header byte ${o}`, kind: 'header', db: flip(src.bytes, o), expected: src.truth, floor: all, slack: 0 });
  const byKind = new Map<string, number[]>();
  for (const [n, p] of src.pages) {
    if (n === 1) continue;
    const kind = p.kind === 'table-leaf' && p.table !== 'metrics' ? 'table-leaf-other' : p.kind;
    byKind.set(kind, [...(byKind.get(kind) ?? []), n]);
  }
  const ps = src.pageSize;
  const offsets = FULL ? [0, 1, 3, 5, 7, 8, 9, 11, 13, 100, ps / 4, ps / 2, ps - 40, ps - 9, ps - 1] : [0, 9, ps - 9];
  const perKind = FULL ? 5 : 1;
  // Interior pages' child pointers (the last byte of the right child, the first cell pointer), in the sample too: they once lost rows.
  const interiorOffsets = FULL ? offsets : [...offsets, 11, 13];
  cases.push(...interiorOffsets.filter((o) => o >= 0).map((o) => ({ name: `schema page 1 byte ${100 + o}`, kind: 'page:schema', db: flip(src.bytes, Math.min(100 + o, ps - 1)), expected: src.truth, floor: all, slack: 0 })));
  for (const [kind, pages] of byKind) {
    for (const n of pick(pages, perKind)) {
      const lost = src.pages.get(n)!.rows;
      for (const o of kind === 'table-interior' ? interiorOffsets : offsets) {
        cases.push({ name: `${kind} page ${n} byte ${o}`, kind: `page:${kind}`, db: flip(src.bytes, (n - 1) * ps + o), expected: src.truth, floor: all - lost.length, slack: lost.length });
      }
    }
  }
  const pageCount = src.bytes.length / ps;
  const sizes = FULL ? Array.from({ length: 40 }, (_, i) => Math.floor((src.bytes.length * (i + 1)) / 41) + (i % 3) * 100) : [0.3, 0.7].map((f) => Math.floor(src.bytes.length * f));
  for (const size of sizes) {
    const whole = Math.floor(size / ps);
    // Rows whose leaf and overflow pages are all inside what is left.
    const gone = new Set<string>();
    for (let n = whole + 1; n <= pageCount; n++) for (const k of src.pages.get(n)?.rows ?? []) gone.add(k);
    const freelistCut = src.freelistTrunk > whole;
    cases.push({ name: `truncated to ${size}`, kind: 'truncated', db: src.bytes.subarray(0, size), expected: src.truth, floor: all - gone.size, slack: 0, ...(freelistCut ? { mayReturn: src.deleted } : {}) });
  }
  return cases;
}

function walCases(src: SweepSource, dir: string): Case[] {
  const cases: Case[] = [];
  const others = ['v0.3', 'pre-0.24', 'current'].filter((g) => FULL || g !== src.generation).slice(0, FULL ? 3 : 1);
  for (const g of others) {
    cases.push({ name: `stale -wal of a ${g} database`, kind: 'wal:stale', db: src.bytes, wal: foreignWal(join(dir, `foreign-${g}`), g), expected: src.truth, floor: src.truth.size, slack: 0 });
  }
  const { db, wal } = sourceWithWal(join(dir, 'with-wal'), src);
  const frame = 24 + src.pageSize;
  const frames = (wal.length - 32) / frame;
  const cuts = FULL ? Array.from({ length: 12 }, (_, i) => 32 + Math.floor((frames * (i + 1)) / 13) * frame + (i % 2 ? frame / 2 : 0)) : [32 + Math.floor(frames / 2) * frame + 100, wal.length - 10];
  const torn: Array<[string, Buffer]> = cuts.map((c) => [`-wal cut at ${c}`, wal.subarray(0, c)]);
  torn.push([`-wal last frame flipped`, flip(wal, wal.length - 50)]);
  torn.push([`-wal whole`, wal]);
  for (const [name, w] of torn) {
    const expected = rowsSqliteReads(join(dir, 'sqlite-view'), db, w)!;
    cases.push({ name, kind: 'wal:torn', db, wal: w, expected, floor: expected.size, slack: 0 });
  }
  return cases;
}

describe.each(GENERATIONS)('page-level salvage sweep, %s schema', (generation) => {
  it('keeps every row on undamaged pages, nothing from elsewhere, in a database that passes integrity_check', async () => {
    const dir = join(root, generation);
    const src = buildSource(join(dir, 'source'), generation, STEPS);
    const cases = [...casesOf(src), ...walCases(src, join(dir, 'wal'))];
    const failures: string[] = [];
    for (const c of cases) {
      const caseDir = join(dir, 'case');
      const path = writeCase(caseDir, c.db, c.wal);
      const out = join(caseDir, 'out.db');
      let kept = 0;
      let foreign = 0;
      let unplaced = 0;
      try {
        const r = salvagePages(path, out, { unplacedFile: join(caseDir, 'unplaced.jsonl') });
        unplaced = r.unplaced;
        const d = new Database(out, { readonly: true });
        const rows = readRows(d);
        d.close();
        for (const [k, v] of rows) {
          if (c.expected.has(k)) kept++;
          if (c.expected.get(k) !== v && !(c.mayReturn?.has(k) && !c.expected.has(k))) foreign++;
        }
      } catch (err) {
        failures.push(`${c.name}: ${(err as Error).message}`);
        continue;
      }
      const t = tallies.get(`${c.kind}`) ?? { cases: 0, rows: 0, floor: 0, ours: 0, recover: 0, recoverCases: 0, unplaced: 0, behindRecover: [], viaSqlite: 0, behindSqlite: [] };
      t.cases++;
      t.rows += c.expected.size;
      t.floor += c.floor;
      t.ours += kept;
      t.unplaced += unplaced;
      if (SQLITE3) {
        mkdirSync(join(caseDir, 'rec'), { recursive: true });
        const rec = recoverRows(SQLITE3, path, join(caseDir, 'rec'));
        if (rec) {
          t.recoverCases++;
          let theirs = 0;
          for (const k of rec.rows.keys()) if (c.expected.has(k)) theirs++;
          t.recover += theirs;
          if (theirs > kept) t.behindRecover.push(`${generation} ${c.name} (${kept} vs ${theirs})`);
        }
      }
      if (VIA_SQLITE) {
        const viaOut = join(caseDir, 'via-sqlite.db');
        let theirs = 0;
        try {
          await salvageWithSqlite(path, viaOut);
          const d = new Database(viaOut, { readonly: true });
          for (const k of readRows(d).keys()) if (c.expected.has(k)) theirs++;
          d.close();
        } catch {
          // SQLite cannot open or walk it: nothing salvaged that way
        }
        t.viaSqlite += theirs;
        if (theirs > kept) t.behindSqlite.push(`${generation} ${c.name} (${kept} vs ${theirs})`);
      }
      tallies.set(c.kind, t);
      if (kept < c.floor) failures.push(`${c.name}: kept ${kept} of ${c.expected.size} rows, floor ${c.floor}`);
      if (foreign > c.slack) failures.push(`${c.name}: ${foreign} rows that are not the source's (allowed ${c.slack})`);
    }
    expect(failures).toEqual([]);
  }, FULL || SQLITE3 || VIA_SQLITE ? 3_600_000 : 120_000);
});
