import { readdir } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * registry-cache/<bucket>/<registry>.db: Trackio's cache of remote registries, each a project
 * database. Returned as project names relative to the data dir (`registry-cache/<bucket>/<registry>`),
 * so they are checked like projects. A cache is safe to delete, which its findings say.
 */
export async function registryCacheDatabases(dataDir: string): Promise<string[]> {
  const out: string[] = [];
  const buckets = await readdir(join(dataDir, 'registry-cache'), { withFileTypes: true }).catch(() => []);
  for (const bucket of buckets.filter((e) => e.isDirectory()).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const entries = await readdir(join(dataDir, 'registry-cache', bucket.name), { withFileTypes: true }).catch(() => []);
    for (const e of entries) {
      if (e.isFile() && e.name.endsWith('.db')) out.push(`registry-cache/${bucket.name}/${e.name.slice(0, -3)}`);
    }
  }
  return out.sort();
}
