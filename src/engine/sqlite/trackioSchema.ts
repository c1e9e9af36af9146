/**
 * What trackio-fsck expects of a Trackio project database, from Trackio's sqlite_storage.py
 * (FORMAT.md part 2). Only the columns Trackio's own queries need are required, so every
 * generation passes: 0.3.x (metrics only), pre-0.24 (keyed by run_name) and 0.24+ (run_id).
 */

/** Tables every project database has; the others appeared over the versions and may be absent. */
export const REQUIRED_TABLES = ['metrics'] as const;

/** Columns each table has had in every version that created it; run_id (0.24+) is optional. */
export const REQUIRED_COLUMNS: Readonly<Record<string, readonly string[]>> = {
  metrics: ['id', 'timestamp', 'run_name', 'step', 'metrics'],
  configs: ['id', 'run_name', 'config', 'created_at'],
  system_metrics: ['id', 'timestamp', 'run_name', 'metrics'],
  project_metadata: ['key', 'value'],
  artifact_versions: ['id', 'manifest', 'manifest_digest', 'size_bytes'],
};

/** How a JSON cell is validated: a metrics record, any JSON object, or an artifact manifest. */
export type CellShape = 'metrics' | 'object' | 'manifest';

export interface JsonColumn {
  table: string;
  column: string;
  shape: CellShape;
}

/** The JSON cells Trackio writes (orjson BLOB since 0.5, TEXT before) and reads back. */
export const JSON_COLUMNS: readonly JsonColumn[] = [
  { table: 'metrics', column: 'metrics', shape: 'metrics' },
  { table: 'configs', column: 'config', shape: 'object' },
  { table: 'system_metrics', column: 'metrics', shape: 'object' },
  { table: 'artifact_versions', column: 'manifest', shape: 'manifest' },
];

export type Generation = '0.3' | 'pre-0.24' | '0.24+';

/** Which schema generation a database is, from its tables and columns. */
export function generationOf(tables: Map<string, Set<string>>): Generation {
  if (tables.get('metrics')?.has('run_id')) return '0.24+';
  if (tables.size === 1 || (tables.size === 2 && tables.has('sqlite_sequence'))) return '0.3';
  return 'pre-0.24';
}
