// Bundles the CLI (src/cli/main.ts and all it may import) into one CommonJS file, dist/bundle/cli.cjs,
// which bin/trackio-fsck.js runs. Measured (docs/benchmarks.md, start-up): Node spent more of a
// `check` of an empty data dir resolving, reading and linking the ~85 ES modules it loaded than
// running them; one file, whose functions V8 compiles only when called, costs less. Code the
// command does not run stays cheap: modules loaded lazily in src/ (each command, the SQLite layout,
// stream-json...) are wrapped by esbuild and initialised only on first use, as before.
// The library (dist/index.js) and its types stay tsc's output, unchanged.
import { build } from 'esbuild';
import { readFile } from 'node:fs/promises';
import { rmSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'src');
const outdir = join(root, 'dist', 'bundle');

/**
 * Code that finds files beside itself (worker scripts, the compiled validators, package.json) must
 * keep finding them: in each source file `import.meta.url` becomes the URL of the file tsc made of
 * it in dist/ (where those files are), and in a dependency the URL of the dependency's own file.
 * Worker threads therefore run tsc's dist/ modules, as they did before the bundle.
 */
const importMetaUrlOfTwin = {
  name: 'import-meta-url-of-twin',
  setup(b) {
    b.onLoad({ filter: /\.(ts|js|mjs)$/ }, async (args) => {
      const text = await readFile(args.path, 'utf8');
      if (!text.includes('import.meta.url')) return undefined;
      const twin = args.path.startsWith(src + '/') ? join(root, 'dist', relative(src, args.path)).replace(/\.ts$/, '.js') : args.path;
      return { contents: text.replaceAll('import.meta.url', `__trackioFsckUrlOf(${JSON.stringify(relative(outdir, twin))})`), loader: args.path.endsWith('.ts') ? 'ts' : 'js' };
    });
  },
};

rmSync(outdir, { recursive: true, force: true });
await build({
  entryPoints: [join(src, 'cli', 'main.ts')],
  outfile: join(outdir, 'cli.cjs'),
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  // better-sqlite3 is a native addon, found at run time; yargs (help, completion and mistakes
  // only) reads its locale files from its own folder.
  external: ['better-sqlite3', 'yargs', 'yargs/*'],
  plugins: [importMetaUrlOfTwin],
  // What importMetaUrlOfTwin calls, defined where `require` and `__dirname` are the bundle's own
  // (a dependency may declare a variable named require).
  banner: { js: "const __trackioFsckUrlOf = (rel) => require('node:url').pathToFileURL(require('node:path').join(__dirname, rel)).href;" },
  logLevel: 'warning',
  legalComments: 'none',
});
