#!/usr/bin/env node
// `trackio-fsck --version` answers before the CLI loads, printing exactly what yargs would print.
// Everything else runs the CLI bundled into one file (scripts/bundle-cli.mjs): Node loads one
// file instead of resolving and reading about a hundred modules.
if (process.argv.length === 3 && process.argv[2] === '--version') {
  const { readFileSync } = await import('node:fs');
  process.stdout.write(JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version + '\n');
} else {
  const { createRequire } = await import('node:module');
  createRequire(import.meta.url)('../dist/bundle/cli.cjs');
}
