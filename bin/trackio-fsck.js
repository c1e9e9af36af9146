#!/usr/bin/env node
'use strict';
// CommonJS (bin/package.json says so): Node then starts without its ES module loader, ~35 ms of
// CPU less here (docs/benchmarks.md, start-up). `--version` answers before the CLI loads, printing
// exactly what yargs would print. Everything else runs the bundled CLI (scripts/bundle-cli.mjs):
// one file for the start-up path instead of about a hundred modules.
if (process.argv.length === 3 && process.argv[2] === '--version') {
  const { readFileSync } = require('node:fs');
  const { join } = require('node:path');
  process.stdout.write(JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')).version + '\n');
} else {
  require('../dist/bundle/cli.cjs');
}
