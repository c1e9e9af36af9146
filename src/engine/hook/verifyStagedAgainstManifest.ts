import type { Finding } from '../finding.js';
import type { CheckResult } from '../check.js';

/**
 * MERGE POINT (issue 3, manifests): verify the staged runs against the data dir's manifest, when one
 * exists, and return what differs (changed or missing files the manifest records) as findings.
 *
 * The hook calls this once per data dir, after the full check of the touched runs, with that
 * check's result: `result.files` already holds the size, SHA-256, mtime and inode of every file of
 * those runs, so verification needs no second read. Until manifests land it finds nothing.
 */
export async function verifyStagedAgainstManifest(dataDir: string, runs: readonly string[], result: CheckResult): Promise<Finding[]> {
  void dataDir;
  void runs;
  void result;
  return [];
}
