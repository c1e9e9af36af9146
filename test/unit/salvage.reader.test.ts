import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { applySchema, SCHEMA } from '../../fixtures/build/trackioDb.mjs';
import { bufferDbFile } from '../../src/engine/layouts/trackioSqlite/salvage/DbFile.js';
import { decodeRecord, TextBytes } from '../../src/engine/layouts/trackioSqlite/salvage/decodeRecord.js';
import { openPages, readHeaderFacts } from '../../src/engine/layouts/trackioSqlite/salvage/openPages.js';
import { localPayload } from '../../src/engine/layouts/trackioSqlite/salvage/readTableCell.js';
import { checksum, readWal } from '../../src/engine/layouts/trackioSqlite/salvage/readWal.js';
import { readVarint } from '../../src/engine/layouts/trackioSqlite/salvage/readVarint.js';
import { scanDatabase } from '../../src/engine/layouts/trackioSqlite/salvage/scanDatabase.js';
import { classifyPage, tableShapes } from '../../src/engine/layouts/trackioSqlite/salvage/TableShape.js';
import { applyTrackioSchema, TRACKIO_SCHEMAS } from '../../src/engine/layouts/trackioSqlite/salvage/trackioSchemas.js';
import { loadSqlite } from '../../src/engine/layouts/trackioSqlite/loadSqlite.js';

const Database = loadSqlite();
const dirs: string[] = [];
const temp = () => {
  const d = mkdtempSync(join(tmpdir(), 'salvage-reader-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** SQLite's varint encoding, written independently of the reader under test. */
function encodeVarint(v: bigint): Buffer {
  const u = BigInt.asUintN(64, v);
  if (u >= 1n << 56n) {
    const out = [Number(u & 0xffn)];
    let rest = u >> 8n;
    for (let i = 0; i < 8; i++) {
      out.unshift(Number(rest & 0x7fn) | 0x80);
      rest >>= 7n;
    }
    return Buffer.from(out);
  }
  const bytes = [Number(u & 0x7fn)];
  let rest = u >> 7n;
  while (rest > 0n) {
    bytes.unshift(Number(rest & 0x7fn) | 0x80);
    rest >>= 7n;
  }
  return Buffer.from(bytes);
}

describe('readVarint', () => {
  it('decodes every length from 1 to 9 bytes, negative rowids and values past 2^53 exactly', () => {
    const values = [0n, 1n, 127n, 128n, 16383n, 16384n, 2n ** 21n, 2n ** 35n - 1n, 2n ** 49n, 2n ** 53n, 2n ** 53n + 1n, 2n ** 56n, 2n ** 63n - 1n, -1n, -(2n ** 63n)];
    for (const v of values) {
      const buf = Buffer.concat([Buffer.from([0xaa]), encodeVarint(v), Buffer.from([0xbb])]);
      const r = readVarint(buf, 1)!;
      expect(BigInt(r.value)).toBe(v);
      expect(typeof r.value).toBe(v >= -(2n ** 53n - 1n) && v <= 2n ** 53n - 1n ? "number" : "bigint");
      expect(buf[r.next]).toBe(0xbb);
    }
  });

  it('refuses a varint cut off by the end of the cell', () => {
    expect(readVarint(Buffer.from([0x81, 0x82]), 0)).toBeUndefined();
    expect(readVarint(Buffer.from([0x81, 0x82, 0x03]), 0, 2)).toBeUndefined();
  });
});

describe('decodeRecord', () => {
  /** Records written by SQLite itself: one row per value kind, read back from the page bytes. */
  it('reads what SQLite wrote: every serial type, text, blobs, reals, big integers', () => {
    const dir = temp();
    const path = join(dir, 'r.db');
    const db = new Database(path);
    db.pragma('journal_mode = DELETE');
    db.exec('CREATE TABLE t (a, b, c, d, e, f, g, h)');
    const big = 2n ** 62n + 12345n;
    db.prepare('INSERT INTO t VALUES (?, ?, ?, ?, ?, ?, ?, ?)').safeIntegers(true).run(null, 0n, 1n, -200n, big, 3.25, 'héllo', Buffer.from([0, 1, 2]));
    db.prepare('INSERT INTO t VALUES (?, ?, ?, ?, ?, ?, ?, ?)').run(70000, -8388608, 2 ** 40, -(2 ** 47), '', Buffer.alloc(0), 'x'.repeat(300), 1e-300);
    db.close();
    const src = openPages(bufferDbFile(readFileSync(path)));
    const scan = scanDatabase(src);
    expect(scan.schema).toBeUndefined(); // no metrics table: not a Trackio schema, every leaf is an orphan
    const page = src.page(2)!;
    const cells = [page.readUInt16BE(8), page.readUInt16BE(10)];
    const rows = cells.map((c) => {
      const size = readVarint(page, c)!;
      const rowid = readVarint(page, size.next)!;
      return decodeRecord(page.subarray(rowid.next, rowid.next + (size.value as number)))!;
    });
    const byFirst = rows.sort((a, b) => (a[0] === null ? -1 : b[0] === null ? 1 : 0));
    expect(byFirst[0]).toEqual([null, 0, 1, -200, big, 3.25, 'héllo', Buffer.from([0, 1, 2])]);
    expect(byFirst[1]).toEqual([70000, -8388608, 2 ** 40, -(2 ** 47), '', Buffer.alloc(0), 'x'.repeat(300), 1e-300]);
  });

  it('refuses bytes that only look like a record: lengths that do not add up, reserved types, a header past the end', () => {
    expect(decodeRecord(Buffer.from([2, 1, 5]))).toEqual([5]);
    expect(decodeRecord(Buffer.from([2, 1, 5, 0]))).toBeUndefined(); // one byte too many
    expect(decodeRecord(Buffer.from([2, 2, 5]))).toBeUndefined(); // one byte too few
    expect(decodeRecord(Buffer.from([2, 10]))).toBeUndefined(); // reserved serial type
    expect(decodeRecord(Buffer.from([9, 1, 5]))).toBeUndefined(); // header longer than the payload
    expect(decodeRecord(Buffer.from([0]))).toBeUndefined(); // header shorter than its own size varint
  });

  it('keeps TEXT that is not UTF-8 as its bytes, so writing it back changes nothing', () => {
    const v = decodeRecord(Buffer.from([2, 17, 0xff, 0xfe]))!;
    expect(v[0]).toBeInstanceOf(TextBytes);
    expect((v[0] as TextBytes).bytes).toEqual(Buffer.from([0xff, 0xfe]));
  });
});

describe('localPayload', () => {
  it('matches the file format: all local up to U-35, then M + (P-M) % (U-4) or M', () => {
    expect(localPayload(100, 4096)).toBe(100);
    expect(localPayload(4061, 4096)).toBe(4061);
    const m = Math.floor(((4096 - 12) * 32) / 255) - 23;
    expect(localPayload(4062, 4096)).toBe(m + ((4062 - m) % 4092) <= 4061 ? m + ((4062 - m) % 4092) : m);
    expect(localPayload(100000, 4096)).toBe(m + ((100000 - m) % 4092) <= 4061 ? m + ((100000 - m) % 4092) : m);
  });
});

describe('page size inference', () => {
  it('finds the page size from the pages when the header field is damaged, for every size SQLite allows', () => {
    for (const size of [512, 1024, 4096, 16384, 65536]) {
      const dir = temp();
      const path = join(dir, 'p.db');
      const db = new Database(path);
      db.pragma(`page_size = ${size}`);
      db.pragma('journal_mode = DELETE');
      db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)');
      const ins = db.prepare('INSERT INTO t (v) VALUES (?)');
      db.transaction(() => {
        for (let i = 0; i < (size * 40) / 60; i++) ins.run(`value ${i} `.repeat(4));
      })();
      db.close();
      const bytes = readFileSync(path);
      bytes[16] ^= 0x11;
      bytes[17] ^= 0x22;
      const facts = readHeaderFacts(bufferDbFile(bytes));
      expect(facts.pageSize).toBe(size);
      expect(facts.pageSizeInferred).toBe(true);
    }
  });
});

describe('readWal', () => {
  it('applies committed frames only while salts and checksums chain; a torn or flipped frame ends the log there', () => {
    const dir = temp();
    const path = join(dir, 'w.db');
    const db = new Database(path);
    db.pragma('journal_mode = WAL');
    db.pragma('wal_autocheckpoint = 0');
    db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)');
    db.pragma('wal_checkpoint(TRUNCATE)');
    for (let i = 0; i < 3; i++) db.prepare('INSERT INTO t (v) VALUES (?)').run('x'.repeat(5000));
    const wal = readFileSync(`${path}-wal`);
    db.close();
    const walPath = join(dir, 'copy.db-wal');
    writeFileSync(walPath, wal);
    const whole = readWal(walPath, 4096)!;
    expect(whole.stopped).toBeUndefined();
    expect(whole.applied).toBe(whole.frames);
    expect(whole.dbSize).toBeGreaterThan(1);
    // The header's checksum is the file format's: recomputing it with the magic's byte order gives the stored one.
    const be = wal.readUInt32BE(0) === 0x377f0683;
    expect(checksum(wal, 0, 24, be, 0, 0)).toEqual([wal.readUInt32BE(24), wal.readUInt32BE(28)]);
    const frame = 24 + 4096;
    for (let cut = 32 + frame; cut < wal.length; cut += 1500) {
      writeFileSync(walPath, wal.subarray(0, cut));
      const torn = readWal(walPath, 4096)!;
      expect(torn.applied).toBeLessThanOrEqual(Math.floor((cut - 32) / frame));
      expect(torn.applied).toBeLessThan(whole.applied);
    }
    const flipped = Buffer.from(wal);
    flipped[32 + frame + 24 + 100] ^= 1; // inside the second frame's page
    writeFileSync(walPath, flipped);
    const bad = readWal(walPath, 4096)!;
    expect(bad.applied).toBeLessThanOrEqual(1);
    expect(bad.stopped).toMatch(/checksum/);
    writeFileSync(walPath, wal);
    expect(readWal(walPath, 8192)!.applied).toBe(0); // another page size: not this database's
  });
});

describe("Trackio's schemas", () => {
  it('recreate exactly the sqlite_master of a database the fixtures build with init_db, for every generation', () => {
    for (const name of Object.keys(TRACKIO_SCHEMAS) as Array<keyof typeof TRACKIO_SCHEMAS>) {
      const ours = new Database(':memory:');
      const deferred = applyTrackioSchema(ours, name);
      for (const sql of deferred) ours.exec(sql);
      const theirs = new Database(':memory:');
      applySchema(theirs, name === 'current' ? 'current' : name);
      const master = (db: InstanceType<typeof Database>) => db.prepare('SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY name').all();
      expect(master(ours)).toEqual(master(theirs));
      expect(Object.keys(SCHEMA)).toContain(name);
    }
  });

  it('classify rows by shape: a metrics row of each generation goes to metrics, a configs row to configs', () => {
    const db = new Database(':memory:');
    applyTrackioSchema(db, 'current');
    const shapes = tableShapes(db);
    const ts = '2026-01-01T10:30:00.000000+00:00';
    const metrics = [null, 'run-0-0000abcd', ts, 'run-0', 3, Buffer.from('{"loss":0.5}'), null, null];
    const configs = [null, 'run-0-0000abcd', 'run-0', Buffer.from('{"lr":0.1}'), ts];
    const system = [null, 'run-0-0000abcd', ts, 'run-0', Buffer.from('{"gpu":1}'), null, null];
    expect(classifyPage([metrics], shapes)?.name).toBe('metrics');
    expect(classifyPage([configs], shapes)?.name).toBe('configs');
    expect(classifyPage([system], shapes)?.name).toBe('system_metrics');
    expect(classifyPage([[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]], shapes)).toBeUndefined();
  });
});
