import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { salvagePages } from '../../src/engine/layouts/trackioSqlite/salvage/salvagePages.js';
import { buildSource, Database, readRows, writeCase } from './salvageSweep.helpers.js';

const root = mkdtempSync(join(tmpdir(), 'salvage-leaf-header-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Damages to the header and cell pointer array of a table-leaf page; the cells themselves stay intact. */
const DAMAGES: Array<[string, (page: Buffer) => void]> = [
  ['cell count 0', (p) => p.writeUInt16BE(0, 3)],
  ['cell count one short', (p) => p.writeUInt16BE(p.readUInt16BE(3) - 1, 3)],
  ['cell count 0xffff', (p) => p.writeUInt16BE(0xffff, 3)],
  ['cell count one too many', (p) => p.writeUInt16BE(p.readUInt16BE(3) + 1, 3)],
  ['content start 0x0001', (p) => p.writeUInt16BE(1, 5)],
  ['fragmented bytes 0xff', (p) => (p[7] = 0xff)],
  ['first cell pointer 0', (p) => p.writeUInt16BE(0, 8)],
  ['last cell pointer 0xfffe', (p) => p.writeUInt16BE(0xfffe, 8 + 2 * (p.readUInt16BE(3) - 1))],
  ['every cell pointer zeroed', (p) => p.fill(0, 8, 8 + 2 * p.readUInt16BE(3))],
  ['first freeblock pointer 0xffff', (p) => p.writeUInt16BE(0xffff, 1)],
];

/**
 * A leaf page whose cell count, content start, fragment count or cell pointers are damaged keeps
 * every row: the cells are found again in the page's content area (readLeafCells), exactly as they
 * were, and no deleted row comes back from a freeblock. Every damage, on metrics leaves of every
 * schema generation, including the leaves where deleted rows left freeblocks.
 */
describe.each(['v0.3', 'pre-0.24', 'current'])('a %s leaf page with a damaged header or pointer array', (generation) => {
  const src = buildSource(join(root, generation, 'source'), generation, 120);
  const leaves = [...src.pages].filter(([n, p]) => n > 1 && p.kind === 'table-leaf' && p.table === 'metrics' && p.rows.length > 1).map(([n]) => n);
  const withFreeblocks = leaves.filter((n) => src.bytes.readUInt16BE((n - 1) * src.pageSize + 1) !== 0);
  const chosen = [...new Set([leaves[0]!, leaves[Math.floor(leaves.length / 2)]!, leaves[leaves.length - 1]!, ...withFreeblocks.slice(0, 2)])];

  it.each(DAMAGES)('keeps every row exactly: %s', (name, damage) => {
    const lost: string[] = [];
    for (const n of chosen) {
      const bytes = Buffer.from(src.bytes);
      damage(bytes.subarray((n - 1) * src.pageSize, n * src.pageSize));
      const dir = join(root, generation, 'case');
      const out = join(dir, 'out.db');
      salvagePages(writeCase(dir, bytes), out);
      const db = new Database(out, { readonly: true });
      const rows = readRows(db);
      db.close();
      for (const [k, v] of src.truth) if (rows.get(k) !== v) lost.push(`page ${n}: ${k}`);
      for (const k of rows.keys()) if (!src.truth.has(k)) lost.push(`page ${n}: ${k} is not the source's`);
    }
    expect(withFreeblocks.length).toBeGreaterThan(0);
    expect(lost).toEqual([]);
  });
});
