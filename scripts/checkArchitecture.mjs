// The architecture's rules, checked on the source: no import cycle in src/ (static, dynamic and
// type-only imports alike: a type cycle is still two modules that cannot be read apart), and no branch on a layout's name outside
// src/engine/layouts/. Prints what breaks a rule; exit 1 when anything does. `npm test` runs it
// through test/unit/architecture.test.ts.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'src');

function walk(dir, out = []) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name !== 'generated') walk(p, out);
    } else if (e.name.endsWith('.ts')) out.push(p);
  }
  return out;
}

const IMPORT = /^\s*(?:import|export)\s+(?:[^'"]*?\s+from\s+)?['"](\.{1,2}\/[^'"]+)['"]/gm;
const DYNAMIC = /\bimport\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g;
const LAYOUT_NAME = /['"](trackio-sqlite|run-directory)['"]/g;

/** Module graph of src/: file -> files it imports. */
export function moduleGraph() {
  const graph = new Map();
  for (const file of walk(src)) {
    const text = readFileSync(file, 'utf8');
    const deps = new Set();
    for (const re of [IMPORT, DYNAMIC]) {
      for (const m of text.matchAll(re)) {
        deps.add(resolve(dirname(file), m[1]).replace(/\.js$/, '.ts'));
      }
    }
    graph.set(file, [...deps]);
  }
  return graph;
}

/** Strongly connected components of more than one module (or a module importing itself): the cycles. */
export function importCycles(graph = moduleGraph()) {
  let index = 0;
  const stack = [];
  const on = new Set();
  const idx = new Map();
  const low = new Map();
  const cycles = [];
  const strong = (v) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!idx.has(w)) {
        strong(w);
        low.set(v, Math.min(low.get(v), low.get(w)));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v), idx.get(w)));
    }
    if (low.get(v) === idx.get(v)) {
      const scc = [];
      let w;
      do {
        w = stack.pop();
        on.delete(w);
        scc.push(relative(root, w));
      } while (w !== v);
      if (scc.length > 1 || (graph.get(v) ?? []).includes(v)) cycles.push(scc.sort());
    }
  };
  for (const v of graph.keys()) if (!idx.has(v)) strong(v);
  return cycles;
}

/** Places outside src/engine/layouts/ that name a layout: each is a branch on the layout that belongs in it. */
export function layoutNameBranches() {
  const layouts = join(src, 'engine', 'layouts') + '/';
  const found = [];
  for (const file of walk(src)) {
    if (file.startsWith(layouts)) continue;
    const lines = readFileSync(file, 'utf8').split('\n');
    lines.forEach((line, i) => {
      if (LAYOUT_NAME.test(line)) found.push(`${relative(root, file)}:${i + 1}: ${line.trim()}`);
      LAYOUT_NAME.lastIndex = 0;
    });
  }
  return found;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const cycles = importCycles();
  const branches = layoutNameBranches();
  for (const c of cycles) console.log(`import cycle: ${c.join(' <-> ')}`);
  for (const b of branches) console.log(`layout name outside layouts/: ${b}`);
  process.exitCode = cycles.length + branches.length > 0 ? 1 : 0;
}
