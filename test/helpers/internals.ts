// Engine internals the tests reach past the public API (src/index.ts) for: primitives they damage,
// time or compare against. Library users get only src/index.ts.
export { loadSqlite } from '../../src/engine/layouts/trackioSqlite/loadSqlite.js';
export { databaseDigest } from '../../src/engine/layouts/trackioSqlite/databaseDigest.js';
export { salvageDatabase } from '../../src/engine/layouts/trackioSqlite/salvageDatabase.js';
export { quarantineInvalidJsonRows } from '../../src/engine/layouts/trackioSqlite/quarantineInvalidJsonRows.js';
export { manifestDigest } from '../../src/engine/layouts/trackioSqlite/manifestDigest.js';
export { isProjectLive } from '../../src/engine/layouts/trackioSqlite/isProjectLive.js';
export { backupDatabase } from '../../src/engine/layouts/trackioSqlite/backupDatabase.js';
export { JsonlScanner, type JsonlScannerOptions } from '../../src/engine/layouts/runDirectory/kinds/JsonlScanner.js';
export { writeManifest } from '../../src/engine/manifest/writeManifest.js';
export { unchangedFiles } from '../../src/engine/manifest/unchangedFiles.js';
export { findVerifiedCopy } from '../../src/engine/backup/findVerifiedCopy.js';
export { applyPlan, journalPath, listJournals, planFromCheck, resumeRepair, verifyRepair } from '../../src/engine/repair/index.js';
export { scanWindow } from '../../src/engine/layouts/runDirectory/scanWindow.js';
export { syncReads } from '../../src/engine/layouts/runDirectory/syncReads.js';
