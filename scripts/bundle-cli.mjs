// Bundles the CLI (src/cli/main.ts and all it may import) into dist/bundle/, which
// bin/trackio-fsck.js runs: `cli.cjs` holds what `check` of a run-directory data dir needs, and
// each other part (a command, the SQLite layout, stream-json, hyparquet...) is a chunk of its own,
// loaded only when used, as the dynamic imports in src/ say. Measured (docs/benchmarks.md,
// start-up): Node spent more of a `check` of an empty data dir resolving, reading and linking the
// ~85 ES modules it loaded than running them; one file of the code that runs costs less, and less
// than one file of all the code (~1 MB that V8 would read and pre-parse on every start).
// rolldown rather than esbuild: esbuild splits into one chunk per set of importers (46 files for
// that check) or not at all; rolldown lets the start-up path be one chunk (codeSplitting groups).
// The library (dist/index.js) and its types stay tsc's output, unchanged.
import { rolldown } from 'rolldown';
import * as crypto from 'node:crypto';
import { rmSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'src');
const outdir = join(root, 'dist', 'bundle');

/**
 * The start-up path: these modules and everything they import statically go into cli.cjs. The
 * rest stays behind the dynamic imports it is behind in src/.
 */
const START_UP_ROOTS = ['cli/main.ts', 'cli/commands/check.ts', 'engine/check.ts', 'engine/layouts/runDirectory/scanRunDirectory.ts'].map((f) => join(src, f));
/** The pre-commit hook's own modules, one chunk: what every commit that touches a run loads. */
const HOOK_ROOTS = ['cli/commands/hook.ts', 'engine/hook/runHook.ts'].map((f) => join(src, f));

/**
 * Code that finds files beside itself (worker scripts, the compiled validators, package.json) must
 * keep finding them: in each source file `import.meta.url` becomes the URL of the file tsc made of
 * it in dist/ (where those files are), and in a dependency the URL of the dependency's own file.
 * Worker threads therefore run tsc's dist/ modules, as they did before the bundle.
 */
const importMetaUrlOfTwin = {
  name: 'import-meta-url-of-twin',
  transform(code, id) {
    if (!code.includes('import.meta.url')) return null;
    const twin = id.startsWith(src + '/') ? join(root, 'dist', relative(src, id)).replace(/\.ts$/, '.js') : id;
    return code.replaceAll('import.meta.url', `__trackioFsckUrlOf(${JSON.stringify(relative(outdir, twin))})`);
  },
};

/**
 * Built-in modules the start-up path imports but rarely calls, replaced by stand-ins that load them
 * on first call (node:crypto costs as much as the rest of an empty check's work: it hashes only
 * when there are files to compare with a manifest), and chalk's colour detection, which opens
 * node:tty and the environment at import: style.ts always gives Chalk its own level
 * (colorWanted), so the detection's answer was never used. A value that is not a function
 * (crypto.constants, webcrypto) is no export of the stand-in: importing one fails the build.
 */
const cryptoFunctions = Object.keys(crypto).filter((k) => /^[a-zA-Z]\w*$/.test(k) && typeof crypto[k] === 'function');
const LAZY = {
  // Every function node:crypto exports (called or constructed), so new code that imports another one still builds.
  '\0lazy:node:crypto': `let m; const c = () => (m ??= process.getBuiltinModule('node:crypto'));
${cryptoFunctions.map((k) => `export function ${k}(...a) { return new.target ? new (c().${k})(...a) : c().${k}(...a); }`).join('\n')}`,
  // heapPolicy's one call, made only by a check of 20 000 runs or more; importing node:v8 loads ~30
  // internal modules. Only that function is offered: importing another from node:v8 fails the build.
  '\0lazy:node:v8': `export function setFlagsFromString(...a) { return process.getBuiltinModule('node:v8').setFlagsFromString(...a); }`,
  '\0chalk:no-detection': 'export default { stdout: false, stderr: false };',
};
const lazyBuiltins = {
  name: 'lazy-builtins',
  resolveId(source, importer) {
    if (source === 'node:crypto' && importer?.startsWith(src + '/')) return '\0lazy:node:crypto';
    if (source === 'node:v8' && importer?.startsWith(src + '/')) return '\0lazy:node:v8';
    if (source === '#supports-color' && importer?.includes('/node_modules/chalk/')) return '\0chalk:no-detection';
    return null;
  },
  load(id) {
    return LAZY[id] ?? null;
  },
};

/** Static imports of every module, recorded as rolldown parses them (for the chunk groups). */
const staticImports = new Map();
const recordImports = {
  name: 'record-static-imports',
  moduleParsed(info) {
    staticImports.set(info.id, info.importedIds);
  },
};

function closure(roots) {
  const seen = new Set();
  const todo = [...roots];
  while (todo.length > 0) {
    const id = todo.pop();
    if (seen.has(id)) continue;
    seen.add(id);
    todo.push(...(staticImports.get(id) ?? []));
  }
  return seen;
}

rmSync(outdir, { recursive: true, force: true });
const bundle = await rolldown({
  input: { cli: join(src, 'cli', 'main.ts') },
  platform: 'node',
  // better-sqlite3 is a native addon, found at run time; yargs (help, completion and mistakes
  // only) reads its locale files from its own folder.
  external: [/^better-sqlite3(\/|$)/, /^yargs(\/|$)/],
  plugins: [lazyBuiltins, importMetaUrlOfTwin, recordImports],
  logLevel: 'warn',
  // The engine imports some modules both ways (statically here, lazily there): fine.
  onLog: (level, log, handler) => (log.code === 'INEFFECTIVE_DYNAMIC_IMPORT' ? undefined : handler(level, log)),
});
let startUp;
let hook;
await bundle.write({
  dir: outdir,
  format: 'cjs',
  entryFileNames: '[name].cjs',
  chunkFileNames: '[name]-[hash].cjs',
  // What importMetaUrlOfTwin calls, defined where `require` and `__dirname` are the chunk's own.
  banner: "const __trackioFsckUrlOf = (rel) => require('node:url').pathToFileURL(require('node:path').join(__dirname, rel)).href;",
  codeSplitting: {
    groups: [
      { name: 'cli', priority: 2, test: (id) => (startUp ??= closure(START_UP_ROOTS)).has(id) },
      { name: 'hook', priority: 1, test: (id) => (hook ??= closure(HOOK_ROOTS)).has(id) },
    ],
  },
});
await bundle.close();
