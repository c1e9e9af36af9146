import { asyncBufferFromFile, parquetMetadataAsync, parquetRead } from 'hyparquet';

export interface ParquetKeys {
  /** Rows in the file. */
  rows: number;
  /** One key per row: the key columns' values joined (String), as the database's are. */
  keys: string[];
}

/**
 * The row keys of a parquet sidecar Trackio wrote (pyarrow's write_table: snappy, dictionary
 * pages, page index): only the key columns are read (the footer, then those column chunks), never
 * the flattened metric columns. Throws on a file that is not parquet, is cut short (Trackio
 * rewrites sidecars in place, without a temp file), lacks a key column, or uses something the
 * reader does not know: the caller falls back to the file's age.
 */
export async function readParquetKeys(path: string, keyColumns: readonly string[]): Promise<ParquetKeys> {
  const file = await asyncBufferFromFile(path);
  const metadata = await parquetMetadataAsync(file);
  const names = new Set(metadata.schema.map((s) => s.name));
  const absent = keyColumns.filter((c) => !names.has(c));
  if (absent.length > 0) throw new Error(`it has no ${absent.join(', ')} column`);
  const rows = Number(metadata.num_rows);
  const columns = keyColumns.map(() => new Array<unknown>(rows));
  await parquetRead({
    file,
    metadata,
    columns: [...keyColumns],
    onChunk: ({ columnName, columnData, rowStart }) => {
      const into = columns[keyColumns.indexOf(columnName)]!;
      for (let i = 0; i < columnData.length && rowStart + i < rows; i++) into[rowStart + i] = columnData[i];
    },
  });
  const keys: string[] = new Array(rows);
  if (columns.length === 1) {
    const only = columns[0]!;
    for (let i = 0; i < rows; i++) keys[i] = String(only[i]);
  } else {
    for (let i = 0; i < rows; i++) keys[i] = columns.map((col) => String(col[i])).join('\0');
  }
  return { rows, keys };
}
