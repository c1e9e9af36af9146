import type { SqliteDatabase } from '../loadSqlite.js';

/**
 * The statements Trackio's init_db runs for each schema generation, in its order (FORMAT.md part 2;
 * read from gradio-app/trackio's sqlite_storage.py at 0.3.2, 0.23.0 and 0.30-0.36). A salvage whose
 * sqlite_schema is unreadable recreates the database with these, so sqlite_master holds the same
 * SQL text a database Trackio created does (columns added by ALTER TABLE are added the same way).
 * `@runKey <table>` statements index by run_id when the table has it, else by run_name, as init_db does.
 */
const METRICS_0_3 = 'CREATE TABLE IF NOT EXISTS metrics (id INTEGER PRIMARY KEY AUTOINCREMENT, timestamp TEXT NOT NULL, run_name TEXT NOT NULL, step INTEGER NOT NULL, metrics TEXT NOT NULL)';
const LOG_ID_COLUMNS = ['metrics', 'system_metrics'].flatMap((t) => [
  `ALTER TABLE ${t} ADD COLUMN log_id TEXT`,
  `ALTER TABLE ${t} ADD COLUMN space_id TEXT`,
  `CREATE UNIQUE INDEX IF NOT EXISTS idx_${t}_log_id ON ${t}(log_id) WHERE log_id IS NOT NULL`,
  `CREATE INDEX IF NOT EXISTS idx_${t}_pending ON ${t}(space_id) WHERE space_id IS NOT NULL`,
]);
const PRE_0_24 = [
  METRICS_0_3,
  'CREATE TABLE IF NOT EXISTS configs (id INTEGER PRIMARY KEY AUTOINCREMENT, run_name TEXT NOT NULL, config TEXT NOT NULL, created_at TEXT NOT NULL, UNIQUE(run_name))',
  'CREATE INDEX IF NOT EXISTS idx_metrics_run_step ON metrics(run_name, step)',
  'CREATE INDEX IF NOT EXISTS idx_configs_run_name ON configs(run_name)',
  'CREATE INDEX IF NOT EXISTS idx_metrics_run_timestamp ON metrics(run_name, timestamp)',
  'CREATE TABLE IF NOT EXISTS system_metrics (id INTEGER PRIMARY KEY AUTOINCREMENT, timestamp TEXT NOT NULL, run_name TEXT NOT NULL, metrics TEXT NOT NULL)',
  'CREATE INDEX IF NOT EXISTS idx_system_metrics_run_timestamp ON system_metrics(run_name, timestamp)',
  'CREATE TABLE IF NOT EXISTS project_metadata (key TEXT PRIMARY KEY, value TEXT NOT NULL)',
  'CREATE TABLE IF NOT EXISTS pending_uploads (id INTEGER PRIMARY KEY AUTOINCREMENT, space_id TEXT NOT NULL, run_name TEXT, step INTEGER, file_path TEXT NOT NULL, relative_path TEXT, created_at TEXT NOT NULL)',
  "CREATE TABLE IF NOT EXISTS alerts (id INTEGER PRIMARY KEY AUTOINCREMENT, timestamp TEXT NOT NULL, run_name TEXT NOT NULL, title TEXT NOT NULL, text TEXT, level TEXT NOT NULL DEFAULT 'warn', step INTEGER, alert_id TEXT)",
  'CREATE INDEX IF NOT EXISTS idx_alerts_run ON alerts(run_name)',
  'CREATE INDEX IF NOT EXISTS idx_alerts_timestamp ON alerts(timestamp)',
  'CREATE UNIQUE INDEX IF NOT EXISTS idx_alerts_alert_id ON alerts(alert_id) WHERE alert_id IS NOT NULL',
  ...LOG_ID_COLUMNS,
];
const CURRENT = [
  'CREATE TABLE IF NOT EXISTS metrics (id INTEGER PRIMARY KEY AUTOINCREMENT, run_id TEXT NOT NULL, timestamp TEXT NOT NULL, run_name TEXT NOT NULL, step INTEGER NOT NULL, metrics TEXT NOT NULL)',
  'CREATE TABLE IF NOT EXISTS configs (id INTEGER PRIMARY KEY AUTOINCREMENT, run_id TEXT NOT NULL, run_name TEXT NOT NULL, config TEXT NOT NULL, created_at TEXT NOT NULL, UNIQUE(run_id))',
  'CREATE TABLE IF NOT EXISTS system_metrics (id INTEGER PRIMARY KEY AUTOINCREMENT, run_id TEXT NOT NULL, timestamp TEXT NOT NULL, run_name TEXT NOT NULL, metrics TEXT NOT NULL)',
  'CREATE TABLE IF NOT EXISTS traces (id TEXT PRIMARY KEY, run_id TEXT NOT NULL, timestamp TEXT NOT NULL, run_name TEXT NOT NULL, step INTEGER NOT NULL, key TEXT NOT NULL, trace_index INTEGER, messages TEXT NOT NULL, metadata TEXT NOT NULL, search_text TEXT NOT NULL, log_id TEXT, space_id TEXT)',
  'CREATE TABLE IF NOT EXISTS project_metadata (key TEXT PRIMARY KEY, value TEXT NOT NULL)',
  'CREATE TABLE IF NOT EXISTS pending_uploads (id INTEGER PRIMARY KEY AUTOINCREMENT, space_id TEXT NOT NULL, run_id TEXT, run_name TEXT, step INTEGER, file_path TEXT NOT NULL, relative_path TEXT, created_at TEXT NOT NULL)',
  "CREATE TABLE IF NOT EXISTS alerts (id INTEGER PRIMARY KEY AUTOINCREMENT, run_id TEXT NOT NULL, timestamp TEXT NOT NULL, run_name TEXT NOT NULL, title TEXT NOT NULL, text TEXT, level TEXT NOT NULL DEFAULT 'warn', step INTEGER, alert_id TEXT)",
  'CREATE TABLE IF NOT EXISTS artifacts (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL UNIQUE, type TEXT NOT NULL, description TEXT, created_at TEXT NOT NULL)',
  'CREATE TABLE IF NOT EXISTS artifact_versions (id INTEGER PRIMARY KEY AUTOINCREMENT, artifact_id INTEGER NOT NULL REFERENCES artifacts(id), version INTEGER NOT NULL, manifest_digest TEXT NOT NULL, manifest TEXT NOT NULL, metadata TEXT, size_bytes INTEGER NOT NULL, producer_run_id TEXT, producer_run_name TEXT, created_at TEXT NOT NULL, UNIQUE(artifact_id, version), UNIQUE(artifact_id, manifest_digest))',
  'CREATE TABLE IF NOT EXISTS artifact_aliases (artifact_id INTEGER NOT NULL REFERENCES artifacts(id), alias TEXT NOT NULL, artifact_version_id INTEGER NOT NULL REFERENCES artifact_versions(id), PRIMARY KEY (artifact_id, alias))',
  "CREATE TABLE IF NOT EXISTS run_artifact_links (id INTEGER PRIMARY KEY AUTOINCREMENT, run_id TEXT, run_name TEXT, artifact_version_id INTEGER NOT NULL REFERENCES artifact_versions(id), direction TEXT NOT NULL CHECK(direction IN ('input', 'output')), created_at TEXT NOT NULL)",
  'CREATE INDEX IF NOT EXISTS idx_run_artifact_links_run ON run_artifact_links(run_id, run_name)',
  'CREATE INDEX IF NOT EXISTS idx_run_artifact_links_name ON run_artifact_links(run_name, run_id)',
  'CREATE INDEX IF NOT EXISTS idx_run_artifact_links_version ON run_artifact_links(artifact_version_id)',
  'CREATE UNIQUE INDEX IF NOT EXISTS idx_run_artifact_links_unique ON run_artifact_links(run_id, artifact_version_id, direction)',
  "ALTER TABLE pending_uploads ADD COLUMN kind TEXT NOT NULL DEFAULT 'media'",
  'ALTER TABLE pending_uploads ADD COLUMN digest TEXT',
  'CREATE INDEX IF NOT EXISTS idx_pending_uploads_kind ON pending_uploads(kind)',
  '@runKey metrics CREATE INDEX IF NOT EXISTS idx_metrics_run_step ON metrics(@key, step)',
  '@runKey metrics CREATE INDEX IF NOT EXISTS idx_metrics_run_timestamp ON metrics(@key, timestamp)',
  'CREATE INDEX IF NOT EXISTS idx_configs_run_name ON configs(run_name)',
  '@runKey system_metrics CREATE INDEX IF NOT EXISTS idx_system_metrics_run_timestamp ON system_metrics(@key, timestamp)',
  'CREATE INDEX IF NOT EXISTS idx_traces_run_step ON traces(run_id, step)',
  'CREATE INDEX IF NOT EXISTS idx_traces_run_timestamp ON traces(run_id, timestamp)',
  'CREATE INDEX IF NOT EXISTS idx_traces_search ON traces(search_text)',
  '@runKey alerts CREATE INDEX IF NOT EXISTS idx_alerts_run ON alerts(@key)',
  'CREATE INDEX IF NOT EXISTS idx_alerts_timestamp ON alerts(timestamp)',
  'CREATE UNIQUE INDEX IF NOT EXISTS idx_alerts_alert_id ON alerts(alert_id) WHERE alert_id IS NOT NULL',
  ...LOG_ID_COLUMNS,
];

/** The schema generations a database can be recreated as; 'upgraded' is a pre-0.24 database a current Trackio opened. */
export const TRACKIO_SCHEMAS = {
  'v0.3': [METRICS_0_3, 'CREATE INDEX IF NOT EXISTS idx_metrics_run_step ON metrics(run_name, step)'],
  'pre-0.24': PRE_0_24,
  current: CURRENT,
  upgraded: [...PRE_0_24, ...CURRENT],
} as const;

export type TrackioSchemaName = keyof typeof TRACKIO_SCHEMAS;

/** Runs one generation's statements as init_db does; non-unique indexes are left out and returned, to be created after the rows are in (faster); unique ones come first, so a clash keeps the first row. */
export function applyTrackioSchema(db: SqliteDatabase, name: TrackioSchemaName): string[] {
  const deferred: string[] = [];
  for (const statement of TRACKIO_SCHEMAS[name]) {
    let sql: string = statement;
    const m = /^@runKey (\w+) (.*)$/.exec(sql);
    if (m) {
      const cols = db.prepare('SELECT name FROM pragma_table_info(?)').pluck().all(m[1]) as string[];
      sql = m[2]!.replace('@key', cols.includes('run_id') ? 'run_id' : 'run_name');
    }
    if (/^CREATE INDEX/.test(sql)) {
      deferred.push(sql);
      continue;
    }
    try {
      db.exec(sql);
    } catch (err) {
      if (!(sql.startsWith('ALTER') && /duplicate column/.test((err as Error).message))) throw err;
    }
  }
  return deferred;
}
