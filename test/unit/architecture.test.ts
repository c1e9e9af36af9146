import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CODES } from '../../src/index.js';
// @ts-expect-error: a plain .mjs script, no types
import { importCycles, layoutNameBranches } from '../../scripts/checkArchitecture.mjs';

const ROOT = resolve(import.meta.dirname, '..', '..');

function testFiles(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) testFiles(p, out);
    else if (e.name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

describe('architecture', () => {
  it('src/ has no import cycle (static, dynamic or type-only)', () => {
    expect(importCycles()).toEqual([]);
  });

  it('no code outside src/engine/layouts/ names a layout: commands go through the Layout interface', () => {
    expect(layoutNameBranches()).toEqual([]);
  });

  it('every finding code in the registry has a test that names it', () => {
    const tests = testFiles(join(ROOT, 'test'))
      .filter((f) => !f.endsWith('architecture.test.ts'))
      .map((f) => readFileSync(f, 'utf8'))
      .join('\n');
    const untested = Object.keys(CODES).filter((code) => !new RegExp(`['"\`]${code.replace('/', '\\/')}(?![a-z0-9-])`).test(tests));
    expect(untested, 'codes no test asserts').toEqual([]);
  });
});
