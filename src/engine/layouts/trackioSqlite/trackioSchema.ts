/**
 * What trackio-fsck expects of a Trackio project database, from Trackio's sqlite_storage.py
 * (FORMAT.md part 2) across its history. Only the columns Trackio's own queries need are required,
 * so every generation passes: 0.3.x (metrics only), pre-0.24 (keyed by run_name), 0.24+ (run_id),
 * and a pre-0.24 database a newer Trackio opened (init_db creates missing tables but never
 * migrates old ones, so run_name-keyed tables sit beside run_id-keyed ones).
 */

/** Tables every project database has; the others appeared over the versions and may be absent. */
export const REQUIRED_TABLES = ['metrics'] as const;

/** Columns each table has had in every version that created it; run_id (0.24+), log_id, space_id are optional. */
export const REQUIRED_COLUMNS: Readonly<Record<string, readonly string[]>> = {
  metrics: ['id', 'timestamp', 'run_name', 'step', 'metrics'],
  configs: ['id', 'run_name', 'config', 'created_at'],
  system_metrics: ['id', 'timestamp', 'run_name', 'metrics'],
  project_metadata: ['key', 'value'],
  pending_uploads: ['id', 'space_id', 'file_path', 'created_at'],
  alerts: ['id', 'timestamp', 'run_name', 'title', 'level'],
  traces: ['id', 'timestamp', 'run_name', 'step', 'key', 'messages', 'metadata'],
  artifacts: ['id', 'name', 'type', 'created_at'],
  artifact_versions: ['id', 'artifact_id', 'version', 'manifest_digest', 'manifest', 'size_bytes'],
  artifact_aliases: ['artifact_id', 'alias', 'artifact_version_id'],
  run_artifact_links: ['id', 'artifact_version_id', 'direction'],
};

/**
 * How a JSON cell is validated: a metrics record, any JSON object, a JSON list, or an artifact
 * manifest (a list of {path, digest, size[, ref]}).
 */
export type CellShape = 'metrics' | 'object' | 'list' | 'manifest';

export interface JsonColumn {
  table: string;
  column: string;
  shape: CellShape;
  /** NULL is a value Trackio writes here (artifact_versions.metadata without metadata). */
  nullable?: boolean;
  /**
   * Cells may hold media objects ({_type, file_path}) whose files are looked for under media/:
   * logged metrics, and trace messages and metadata (Trackio 0.36 stores an image inside a Trace
   * there, and the metrics row then holds no reference to it).
   */
  media?: boolean;
}

/**
 * The JSON cells Trackio writes and reads back: orjson bytes (BLOB) for metrics, configs, system
 * metrics and trace messages/metadata (TEXT before 0.5); orjson decoded to TEXT for artifact
 * manifests and metadata. project_metadata.value and alerts hold plain text, not JSON.
 */
export const JSON_COLUMNS: readonly JsonColumn[] = [
  { table: 'metrics', column: 'metrics', shape: 'metrics', media: true },
  { table: 'configs', column: 'config', shape: 'object' },
  { table: 'system_metrics', column: 'metrics', shape: 'object' },
  { table: 'traces', column: 'messages', shape: 'list', media: true },
  { table: 'traces', column: 'metadata', shape: 'object', media: true },
  { table: 'artifact_versions', column: 'manifest', shape: 'manifest' },
  { table: 'artifact_versions', column: 'metadata', shape: 'object', nullable: true },
];

export type Generation = '0.3' | 'pre-0.24' | '0.24+';

/** Which schema generation a database is, from its metrics table (the one every generation has). */
export function generationOf(tables: Map<string, Set<string>>): Generation {
  if (tables.get('metrics')?.has('run_id')) return '0.24+';
  if (tables.size === 1 || (tables.size === 2 && tables.has('sqlite_sequence'))) return '0.3';
  return 'pre-0.24';
}
