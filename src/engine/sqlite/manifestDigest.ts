import { createHash } from 'node:crypto';

/**
 * The SHA-256 Trackio stores as artifact_versions.manifest_digest: the manifest serialised by
 * orjson with OPT_SORT_KEYS, which is compact JSON (no spaces) with every object's keys sorted.
 * JSON.stringify writes integers and strings the way orjson does (non-ASCII as raw UTF-8).
 */
export function manifestDigest(manifest: unknown): string {
  return createHash('sha256').update(sortedCompactJson(manifest), 'utf8').digest('hex');
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
