import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CODES } from '../../src/index.js';
import { ROOT } from '../helpers/cli.js';

describe('README', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf('\n## Finding codes\n');
  const end = readme.indexOf('\n## ', start + 1);
  const section = readme.slice(start, end === -1 ? undefined : end);
  const rows = new Map(
    [...section.matchAll(/^\| `([a-z0-9]+\/[a-z0-9-]+)` \| (\w+) \|/gm)].map((m) => [m[1]!, m[2]!] as const),
  );

  it('the "Finding codes" table lists every code with its severity', () => {
    for (const [code, info] of Object.entries(CODES)) {
      expect(rows.get(code), `add a row to README's "Finding codes" table: | \`${code}\` | ${info.severity} | ... |`).toBe(info.severity);
    }
  });

  it('and no code that does not exist', () => {
    for (const code of rows.keys()) expect(Object.keys(CODES)).toContain(code);
  });
});
