// Compiles schemas/*.schema.json into one CommonJS module of standalone validators,
// so the CLI never runs ajv's compiler at start-up. CommonJS because ajv's ESM
// standalone output is broken together with ajv-formats.
import { readFileSync, readdirSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import standaloneCode from 'ajv/dist/standalone/index.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const schemaDir = join(root, 'schemas');
const outFile = join(root, 'dist', 'generated', 'validators.cjs');

const ajv = new Ajv.default({ code: { source: true }, allErrors: false, strict: true });
addFormats.default(ajv);

const exportsMap = {};
for (const name of readdirSync(schemaDir).filter((f) => f.endsWith('.schema.json')).sort()) {
  const schema = JSON.parse(readFileSync(join(schemaDir, name), 'utf8'));
  ajv.addSchema(schema);
  // config.schema.json -> config, metrics-line.schema.json -> metricsLine
  const key = name.replace('.schema.json', '').replace(/-(\w)/g, (_, c) => c.toUpperCase());
  exportsMap[key] = schema.$id;
}
mkdirSync(dirname(outFile), { recursive: true });
writeFileSync(outFile, standaloneCode.default(ajv, exportsMap));
console.error(`compiled ${Object.keys(exportsMap).length} schemas -> ${outFile.slice(root.length + 1)}`);
