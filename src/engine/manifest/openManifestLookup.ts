import type { Finding } from '../finding.js';
import { ManifestCheck } from './ManifestCheck.js';
import type { ManifestLookup } from './ManifestLookup.js';
import { openManifestStream, type ManifestStream } from './ManifestStream.js';
import type { ManifestState } from './readManifest.js';
import { StreamedManifestCheck } from './StreamedManifestCheck.js';

/**
 * The manifest check for one walk: read beside the walk when the manifest is in manifest write's
 * order (memory flat at any number of files), else read whole first (ManifestCheck). Same findings
 * either way. `runs`: the runs whose unmet files count as missing (undefined: every recorded run).
 */
export async function openManifestLookup(
  dataDir: string,
  given: ManifestState | ManifestStream | undefined,
  emit: (f: Finding) => void,
  opts: { dirs: boolean; runs: ReadonlySet<string> | undefined },
): Promise<ManifestLookup | undefined> {
  if (given && isStream(given)) {
    for (const p of given.problems) emit(p);
    return new StreamedManifestCheck(given, emit, opts.runs, false);
  }
  if (given) return ManifestCheck.open(dataDir, given, emit, opts);
  const stream = await openManifestStream(dataDir, { dirs: opts.dirs });
  if (stream === undefined) return undefined;
  if (stream === 'unordered') return ManifestCheck.open(dataDir, undefined, emit, opts);
  for (const p of stream.problems) emit(p);
  return new StreamedManifestCheck(stream, emit, opts.runs);
}

function isStream(m: ManifestState | ManifestStream): m is ManifestStream {
  return typeof (m as ManifestStream).dirRows === 'function';
}
