// Writes docs/options.md's option tables from src/cli/options.ts (through the build in dist/), so the
// README cannot drift from the CLI; test/unit/cli.options.test.ts fails when this was not run.
import { readFileSync, writeFileSync } from 'node:fs';
import { fillOptionBlocks } from '../dist/cli/optionsTable.js';

const file = new URL('../docs/options.md', import.meta.url);
const before = readFileSync(file, 'utf8');
const after = fillOptionBlocks(before);
if (after !== before) writeFileSync(file, after);
console.error(after === before ? 'docs/options.md: up to date' : 'docs/options.md: rewritten');
