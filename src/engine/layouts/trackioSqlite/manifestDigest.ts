import { createHash } from 'node:crypto';
import type { ManifestEntry } from './inspectCell.js';

/**
 * The SHA-256 Trackio stores as artifact_versions.manifest_digest (its `_canonical_manifest`):
 * each entry reduced to path, digest and size (plus ref for an external reference), the entries
 * sorted by path, serialised by orjson with OPT_SORT_KEYS: compact JSON, every object's keys
 * sorted. JSON.stringify writes integers and strings the way orjson does (non-ASCII as raw UTF-8).
 */
export function manifestDigest(manifest: readonly ManifestEntry[]): string {
  const canonical = manifest
    .map((e) => ({ path: e.path, digest: e.digest, size: e.size, ...(e.ref !== undefined ? { ref: e.ref } : {}) }))
    .sort((a, b) => comparePaths(a.path, b.path));
  return createHash('sha256').update(sortedCompactJson(canonical), 'utf8').digest('hex');
}

/** Python sorts str by code point; JavaScript's < compares UTF-16 units, which differ past U+FFFF. */
function comparePaths(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = x[i]!.codePointAt(0)! - y[i]!.codePointAt(0)!;
    if (d !== 0) return d;
  }
  return x.length - y.length;
}

export function sortedCompactJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (typeof value !== 'object' || value === null) return value;
  const obj = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(obj).sort()) out[k] = sortKeys(obj[k]);
  return out;
}
