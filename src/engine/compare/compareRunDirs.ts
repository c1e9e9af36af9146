import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { parseJsonTolerant } from '../parseJsonTolerant.js';
import type { CompareError, DocumentState, RunComparison } from './CompareResult.js';
import { compareFileTrees } from './compareFiles.js';
import { diffJsonlLines } from './diffJsonlLines.js';
import { compareCodePoints } from './compareCodePoints.js';

const DOCUMENTS = new Set(['metrics.jsonl', 'config.json', 'summary.json']);

/**
 * Compares two run-directory data dirs run by run: metrics.jsonl records (diffJsonlLines),
 * config.json and summary.json by value, every other file of the run (artifacts/, logs/, ...) by
 * size and SHA-256. Read-only: files are opened for reading and nothing else.
 */
export async function compareRunDirs(dirA: string, dirB: string, errors: CompareError[]): Promise<RunComparison[]> {
  const [inA, inB] = await Promise.all([runsIn(dirA), runsIn(dirB)]);
  const names = [...new Set([...inA, ...inB])].sort(compareCodePoints);
  const out: RunComparison[] = [];
  for (const run of names) {
    const runA = join(dirA, 'runs', run);
    const runB = join(dirB, 'runs', run);
    const here = { a: inA.has(run), b: inB.has(run) };
    try {
      const metrics = await diffJsonlLines(join(runA, 'metrics.jsonl'), join(runB, 'metrics.jsonl'));
      const config = await compareDocuments(join(runA, 'config.json'), join(runB, 'config.json'));
      const summary = await compareDocuments(join(runA, 'summary.json'), join(runB, 'summary.json'));
      const files = await compareFileTrees(runA, runB, `runs/${run}/`, { skip: (rel) => DOCUMENTS.has(rel), errors });
      const equal =
        here.a === here.b && metrics.diff.onlyInA + metrics.diff.onlyInB + metrics.diff.differ === 0 && config === 'equal' && summary === 'equal' && files.onlyInA + files.onlyInB + files.differ === 0;
      out.push({ project: null, run, a: metrics.a, b: metrics.b, metrics: metrics.diff, config, summary, files, examples: metrics.examples, equal });
    } catch (err) {
      errors.push({ side: null, path: `runs/${run}`, message: (err as Error).message });
    }
  }
  return out;
}

export async function runsIn(dir: string): Promise<Set<string>> {
  const entries = await readdir(join(dir, 'runs'), { withFileTypes: true }).catch(() => []);
  return new Set(entries.filter((e) => e.isDirectory()).map((e) => e.name));
}

/** Equal when the bytes are, or when both parse to the same value (key order and spacing aside). */
export async function compareDocuments(pathA: string, pathB: string): Promise<DocumentState> {
  const [a, b] = await Promise.all([readOptional(pathA), readOptional(pathB)]);
  if (!a && !b) return 'equal';
  if (!b) return 'only-in-a';
  if (!a) return 'only-in-b';
  if (a.equals(b)) return 'equal';
  const pa = parseJsonTolerant(a.toString('utf8'));
  const pb = parseJsonTolerant(b.toString('utf8'));
  return pa.ok && pb.ok && canonical(pa.value) === canonical(pb.value) ? 'equal' : 'differ';
}

async function readOptional(path: string): Promise<Buffer | undefined> {
  return readFile(path).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    throw err;
  });
}

function canonical(v: unknown): string {
  const sort = (x: unknown): unknown =>
    Array.isArray(x) ? x.map(sort) : x && typeof x === 'object' ? Object.fromEntries(Object.keys(x).sort().map((k) => [k, sort((x as Record<string, unknown>)[k])])) : x;
  return JSON.stringify(sort(v));
}
