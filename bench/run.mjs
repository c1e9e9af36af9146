// npm run bench [-- --json] [-- --only NAME]: runs every bench/cases/*.mjs and prints its rows.
// A case exports `title` and `async run(ctx)` returning { rows: [{ name, value, unit, note? }] }.
// ctx: { root, bin (the built CLI), scratch (a fresh dir for the case), measure, bestOf }.
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { bestOf, measure } from './lib/measure.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const asJson = args.includes('--json');
const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;
const scratchRoot = process.env.BENCH_DIR ?? join(root, 'bench', 'data');

const results = [];
for (const file of readdirSync(join(root, 'bench', 'cases')).filter((f) => f.endsWith('.mjs')).sort()) {
  const name = file.replace(/\.mjs$/, '');
  if (only && only !== name) continue;
  const mod = await import(pathToFileURL(join(root, 'bench', 'cases', file)).href);
  const scratch = join(scratchRoot, name);
  mkdirSync(scratch, { recursive: true });
  if (!asJson) process.stderr.write(`running ${name}: ${mod.title}\n`);
  const { rows } = await mod.run({ root, bin: join(root, 'bin', 'trackio-fsck.js'), scratch, measure, bestOf });
  results.push({ name, title: mod.title, rows });
  if (!asJson) {
    console.log(`\n## ${mod.title}\n`);
    console.log('| measure | value | unit | note |\n| --- | ---: | --- | --- |');
    for (const r of rows) console.log(`| ${r.name} | ${typeof r.value === 'number' ? +r.value.toFixed(2) : r.value} | ${r.unit ?? ''} | ${r.note ?? ''} |`);
  }
  if (!process.env.BENCH_KEEP) rmSync(scratch, { recursive: true, force: true });
}
if (asJson) console.log(JSON.stringify({ tool: 'trackio-fsck', bench: results }, null, 2));
