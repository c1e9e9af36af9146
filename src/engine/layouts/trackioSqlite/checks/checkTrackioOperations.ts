import type { FindingFolder } from '../FindingFolder.js';
import type { SqliteDatabase } from '../loadSqlite.js';
import { findDuplicateRows } from './duplicateRows.js';
import { findMissingUploads } from './pendingUploadsMissing.js';
import { findUnsentRows } from './unsentRows.js';

/**
 * The traces Trackio's own operations leave in one project database (issue 13): duplicated rows
 * after a rename or move and a replay, rows not yet sent to a Space, pending uploads whose file is
 * gone. Runs in the open read-only connection of checkDatabase.
 */
export function checkTrackioOperations(db: SqliteDatabase, tables: ReadonlyMap<string, ReadonlySet<string>>, dataDir: string, rel: string, folder: FindingFolder): void {
  const metrics = tables.get('metrics');
  if (metrics) {
    for (const d of findDuplicateRows(db, metrics)) {
      folder.report(
        'trackio/duplicate-rows',
        { run: null, path: rel, table: 'metrics', rowId: d.rowId },
        `metrics row ${d.rowId} (run ${d.run}, step ${String(d.step)}) has no log_id and repeats row ${d.keptRowId} exactly: counted twice in charts and exports`,
        { action: 'quarantine-duplicate-rows', safe: true },
      );
    }
  }
  for (const u of findUnsentRows(db, tables)) {
    folder.report('trackio/unsent-rows', { run: null, path: rel, table: u.table }, `${u.rows} ${u.table} row${u.rows === 1 ? '' : 's'} not yet sent to ${u.spaces.join(', ')}: they exist only on this machine`);
  }
  for (const m of findMissingUploads(db, tables.get('pending_uploads'), dataDir)) {
    const message = m.foundAt
      ? `pending upload ${m.rowId} to ${m.spaceId}: recorded as ${m.filePath}, outside this data dir (it was copied or moved from where Trackio wrote it); the file is here, at ${m.foundAt}, but Trackio looks only at the recorded path, so its next sync drops this upload`
      : `pending upload ${m.rowId} to ${m.spaceId}: ${m.filePath} is gone, so it can never be uploaded`;
    folder.report('trackio/pending-upload-missing', { run: null, path: rel, table: 'pending_uploads', rowId: m.rowId }, message);
  }
}
