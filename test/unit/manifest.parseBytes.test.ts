// The manifest and its record are read from their bytes on the usual lines (issue 15: reading
// 50 000 lines was most of a verify): whatever those readers accept must mean what the slow path
// (JSON.parse, isSafeRelPath on the decoded string) says it means, and anything else is left to it.
import { describe, expect, it } from 'vitest';
import { parseFlatArray } from '../../src/engine/manifest/parseFlatArray.js';
import { isSafeRelPath, isSafeRelPathBytes } from '../../src/engine/fs/safePath.js';
import { ManifestEntries } from '../../src/engine/manifest/ManifestEntries.js';
import { applyFileRow, NOT_SIMPLE } from '../../src/engine/manifest/applyFileRow.js';
import { parseRow } from '../../src/engine/manifest/recordRows.js';

const SHA = '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08';

/** The line as a slice of a larger buffer (text before and a newline after), as forEachLine hands it over. */
function inBuffer(line: string): [Buffer, number, number] {
  const buf = Buffer.from(`xx\n${line}\n,["f"`, 'latin1');
  return [buf, 3, 3 + Buffer.byteLength(line, 'latin1')];
}

function viaJson(line: string): unknown {
  try {
    return JSON.parse(line.startsWith(',') ? line.slice(1) : line);
  } catch {
    return 'invalid';
  }
}

describe('parseFlatArray: the value JSON.parse gives, or nothing', () => {
  const rows = [
    `["f","runs/a/config.json","${SHA}",65,1796010898620.242,2149848,0,null]`,
    `,["f","runs/a/config.json","${SHA}",65,1796010898620.242,2149848,3,12]`,
    `,["f","runs/a/x","${SHA}",null,null,null,0,null]`,
    `,["d","runs/a",1796010898620.25,2149848,"artifacts//config.json/"]`,
    `,["f","p","${SHA}",0,-1.5,0,0,-0]`,
    `,["f","p","${SHA}",123456789012345,1234567890123456,12345678901234567890,0.1,1e3]`,
    `,["f","p","${SHA}",01,2,3,0,null]`, // a leading zero: not JSON
    `,["f","p","${SHA}",1.,2,3,0,null]`,
    `,["f","p","${SHA}",.5,2,3,0,null]`,
    `,["f","p","${SHA}",-,2,3,0,null]`,
    `,["f","p","${SHA}",1,2,3,0,nul]`,
    `,["f","p","${SHA}",1,2,3,0,null]]`,
    `,["f","p","${SHA}",1,2,3,0,null] `,
    `,["f","p","${SHA}",1,2,3,0,null`, // cut short (a torn write)
    `,["f","p","${SHA}",1,2,3,0,`,
    `,["f","p\\"q","${SHA}",1,2,3,0,null]`, // an escape
    `,["f","caf\u00e9","${SHA}",1,2,3,0,null]`, // not ASCII
    `,["f","tab\there","${SHA}",1,2,3,0,null]`, // a control character
    `,["f","p","${SHA}",1,2,3,0,null,[{"code":"x"}]]`, // findings
    `,[ "f","p"]`,
    `,[]`,
    `],`,
    `"rows": [`,
    `,["f","p","${SHA}",1,2,3,0,true]`,
    `,["f","p","${SHA}",1,2,3,0,null],`,
    `,,["f"]`,
  ];
  for (const line of rows) {
    it(JSON.stringify(line.slice(0, 60)), () => {
      const [buf, start, end] = inBuffer(line);
      const flat = parseFlatArray(buf, start, end);
      if (flat !== undefined) expect(flat).toStrictEqual(viaJson(line));
    });
  }

  it('reads the usual rows itself (they are the fast path, not left to JSON.parse)', () => {
    for (const line of rows.slice(0, 5)) expect(parseFlatArray(...inBuffer(line))).toBeDefined();
  });

  it('agrees with JSON.parse on every number shape JSON.stringify writes', () => {
    const numbers = [0, -0, 1, -1, 0.5, 1e-7, 123.456, 2 ** 53, 2 ** 53 + 2, 1796010898620.242, 1e21, -1e-300, 999999999999999, 1234567890123456];
    for (const n of numbers) {
      const line = `,["f","p","${SHA}",${JSON.stringify(n)},1,2,0,null]`;
      const flat = parseFlatArray(...inBuffer(line));
      if (flat !== undefined) expect(flat).toStrictEqual(viaJson(line));
    }
  });
});

describe('isSafeRelPathBytes: isSafeRelPath on bytes', () => {
  it('agrees on a sweep of paths built from risky segments', () => {
    const parts = ['', '.', '..', '...', 'a', '.a', 'a.', 'a\0b', 'runs'];
    const paths = new Set<string>();
    for (const a of parts) for (const b of parts) for (const c of parts) {
      paths.add(a);
      paths.add(`${a}/${b}`);
      paths.add(`${a}/${b}/${c}`);
      paths.add(`/${a}/${b}`);
      paths.add(`${a}/${b}/`);
    }
    for (const p of paths) {
      const buf = Buffer.from(`x${p}y`, 'latin1');
      expect(isSafeRelPathBytes(buf, 1, 1 + p.length), JSON.stringify(p)).toBe(isSafeRelPath(p));
    }
  });
});

describe('ManifestEntries.addAscii: add from a line\'s bytes', () => {
  it('keeps the same path and digest as add, and refuses a repeat whichever way it came', () => {
    const a = new ManifestEntries();
    const b = new ManifestEntries();
    const paths = Array.from({ length: 3000 }, (_, i) => `runs/r${i % 50}/f${i}.bin`);
    paths.forEach((p, i) => {
      const sha = (i % 2 ? SHA : SHA.toUpperCase()).slice(0, 60) + String(i % 10000).padStart(4, '0');
      const line = `${sha}  ${p}`;
      const buf = Buffer.from(`\n${line}\n`, 'latin1');
      expect(a.addAscii(buf, 1 + 66, 1 + line.length, 1, i + 1)).toBe(true);
      expect(b.add(p, sha.toLowerCase(), i + 1)).toBe(true);
    });
    expect([...a.entries()]).toEqual([...b.entries()]);
    const again = Buffer.from(`${SHA}  ${paths[7]}`, 'latin1');
    expect(a.addAscii(again, 66, again.length, 0, 9999)).toBe(false);
    expect(a.add(paths[8]!, SHA, 9999)).toBe(false);
    expect(a.size).toBe(paths.length);
  });
});

describe('applyFileRow: a record row attached from its bytes as readRecord attaches the parsed row', () => {
  const path = 'runs/a/config.json';
  const other = 'f'.repeat(64);
  const rows = [
    `,["f","${path}","${SHA}",65,1796010898620.242,2149848,0,null]`,
    `["f","${path}","${SHA}",65,1796010898620.242,2149848,3,12]`,
    `,["f","${path}","${SHA}",65,-0,0,1,0]`,
    `,["f","${path}","${SHA}",0,1e3,2.5,2,7]`,
    `,["f","${path}","${SHA}",1234567890123456,1,2,0,null]`, // 16 digits: left to JSON.parse
    `,["f","${path}","${SHA}",-5,1,2,0,null]`,
    `,["f","${path}","${SHA}",null,null,null,0,null]`,
    `,["f","${path}","${other}",65,1,2,0,null]`, // disagrees with the manifest: not attached
    `,["f","${path}","${SHA.toUpperCase()}",65,1,2,0,null]`,
    `,["f","runs/a/other.json","${SHA}",65,1,2,0,null]`, // a path the manifest does not hold
    `,["f","${path}","${SHA}",65,1,2,0,null,[{"code":"x"}]]`,
    `,["f","${path}","${SHA}",65,1,2,0.5,null]`,
    `,["f","${path}","${SHA}",65,1,2,0,null`, // cut short
    `,["f","${path}","${SHA}",65,1,2,0,nul]`,
    `,["f","${path}","${SHA}",065,1,2,0,null]`,
    `,["f","${path}","${SHA.slice(1)}",65,1,2,0,null]`,
    `,["f","${path}\\u0041","${SHA}",65,1,2,0,null]`,
  ];
  for (const line of rows) {
    it(JSON.stringify(line.slice(0, 24) + '…' + line.slice(-28)), () => {
      const fast = new ManifestEntries();
      const slow = new ManifestEntries();
      for (const e of [fast, slow]) {
        e.add('runs/a/a.json', SHA, 1);
        e.add(path, SHA, 2);
      }
      const [buf, start, end] = inBuffer(line);
      const row = applyFileRow(fast, buf, start, end, 1);
      // The slow path: the row as JSON, attached by path when it agrees (readRecord's apply).
      let parsed;
      try {
        parsed = parseRow(line);
      } catch {
        parsed = 'invalid' as const;
      }
      if (row === NOT_SIMPLE) return;
      expect(parsed).not.toBe('invalid');
      if (parsed !== 'invalid' && parsed?.kind === 'f' && parsed.record && /^[0-9a-f]{64}$/.test(parsed.sha256)) {
        const r = slow.rowOf(parsed.path);
        if (r !== undefined && slow.shaIs(r, parsed.sha256)) slow.setRecord(r, parsed.record);
      }
      expect(fast.recordOf(0)).toEqual(slow.recordOf(0));
      expect(fast.recordOf(1)).toEqual(slow.recordOf(1));
      expect(row >= 0).toBe(slow.hasRecord(1));
    });
  }

  it('attaches the usual rows itself, guessed row or not', () => {
    const e = new ManifestEntries();
    e.add('runs/a/a.json', SHA, 1);
    e.add(path, SHA, 2);
    for (const guess of [0, 1, 2, 99]) expect(applyFileRow(e, ...inBuffer(rows[0]!), guess)).toBe(1);
    expect(applyFileRow(e, ...inBuffer(rows[1]!), 1)).toBe(1);
  });
});
