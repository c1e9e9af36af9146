import { rolldown } from 'rolldown';
import { join, relative } from 'node:path';
import { readFileSync } from 'node:fs';
const root = '/work/wt-startup', src = root + '/src', outdir = root + '/dist/rd';
const hot = new Set(readFileSync('/tmp/su/mods.txt', 'utf8').split('\n').filter((l) => l.startsWith('dist/')).map((l) => join(root, l.replace(/^dist\//, 'src/').replace(/\.js$/, '.ts'))));
const bundle = await rolldown({
  input: { cli: join(src, 'cli', 'main.ts') },
  platform: 'node',
  external: [/^better-sqlite3/, /^yargs(\/|$)/, /^node:/],
  plugins: [{ name: 'u', transform(code, id) { if (!code.includes('import.meta.url')) return null; const twin = id.startsWith(src + '/') ? join(root, 'dist', relative(src, id)).replace(/\.ts$/, '.js') : id; return code.replaceAll('import.meta.url', `__trackioFsckUrlOf(${JSON.stringify(relative(outdir, twin))})`); } }],
});
await bundle.write({ dir: outdir, format: 'cjs', entryFileNames: '[name].cjs', chunkFileNames: '[name]-[hash].cjs',
  banner: "const __trackioFsckUrlOf = (rel) => require('node:url').pathToFileURL(require('node:path').join(__dirname, rel)).href;",
  advancedChunks: { groups: [{ name: 'hot', test: (id) => hot.has(id) || /node_modules\/(chalk|yargs-parser)/.test(id) }] } });
