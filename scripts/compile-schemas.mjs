// Compiles schemas/*.schema.json into one CommonJS module of standalone validators,
// so the CLI never runs ajv's compiler at start-up. CommonJS because ajv's ESM
// standalone output is broken together with ajv-formats.
import { copyFileSync, readFileSync, readdirSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Ajv, { _ } from 'ajv';
import addFormats from 'ajv-formats';
import standaloneCode from 'ajv/dist/standalone/index.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const schemaDir = join(root, 'schemas');
const outFile = join(root, 'dist', 'generated', 'validators.cjs');

// Formats come from schemas/formats.cjs (ajv-formats plus a fast iso-date-time), copied next to the validators.
const ajv = new Ajv.default({ code: { source: true, formats: _`require("./formats.cjs")` }, allErrors: false, strict: true });
addFormats.default(ajv);

const exportsMap = {};
for (const name of readdirSync(schemaDir).filter((f) => f.endsWith('.schema.json')).sort()) {
  const schema = JSON.parse(readFileSync(join(schemaDir, name), 'utf8'));
  ajv.addSchema(schema);
  // config.schema.json -> config, metrics-line.schema.json -> metricsLine
  const key = name.replace('.schema.json', '').replace(/-(\w)/g, (_, c) => c.toUpperCase());
  exportsMap[key] = schema.$id;
}
// dist/ for the CLI; src/generated/ (ignored by git) for unit tests, which run the engine from src/.
const code = standaloneCode.default(ajv, exportsMap);
for (const file of [outFile, join(root, 'src', 'generated', 'validators.cjs')]) {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, code);
  copyFileSync(join(schemaDir, 'formats.cjs'), join(dirname(file), 'formats.cjs'));
}
console.error(`compiled ${Object.keys(exportsMap).length} schemas -> ${outFile.slice(root.length + 1)}`);
