import { statSync } from 'node:fs';
import { join } from 'node:path';
import type { Finding } from '../../../finding.js';
import { makeFinding } from '../../../makeFinding.js';

/**
 * Runs whose fingerprints (runSignatures) match in two projects: what move_run leaves when it is
 * interrupted between committing the target and deleting from the source. Reported once per run,
 * on the project listed second (by name), naming the other. When the run's media folder is under
 * one project only (move_run was killed before it moved media/<source>/<run>/, as seen running
 * real Trackio 0.36), that is said: deleting the copy whose media are there would leave the other
 * copy's images missing.
 */
export function checkRunInTwoProjects(signatures: ReadonlyArray<{ project: string; path: string; runs: ReadonlyMap<string, string> }>, emit: (f: Finding) => void, dataDir?: string): void {
  const seen = new Map<string, { project: string; run: string }>();
  for (const db of [...signatures].sort((a, b) => (a.project < b.project ? -1 : a.project > b.project ? 1 : 0))) {
    for (const [signature, run] of db.runs) {
      const before = seen.get(signature);
      if (!before) {
        seen.set(signature, { project: db.project, run });
        continue;
      }
      emit(
        makeFinding(
          'trackio/run-in-two-projects',
          { run: null, path: db.path, table: 'metrics' },
          `run ${run} is in projects ${before.project} and ${db.project} with the same rows: a move_run was interrupted before it deleted the run from its source; keep the copy in the project you moved it to and delete the other with Trackio (trackio.Api().run(...).delete())${mediaNote(dataDir, before.project, db.project, run)}`,
        ),
      );
    }
  }
}

/** Where the run's media folder is, when only one of the two projects has it. */
function mediaNote(dataDir: string | undefined, a: string, b: string, run: string): string {
  if (dataDir === undefined) return '';
  const has = (project: string) => statSync(join(dataDir, 'media', project, run), { throwIfNoEntry: false })?.isDirectory() ?? false;
  const inA = has(a);
  if (inA === has(b)) return '';
  const [here, there] = inA ? [a, b] : [b, a];
  return `; its media are only in media/${here}/${run}/: to keep the copy in ${there}, move that folder to media/${there}/${run}/ first`;
}
