"""Write parquet files from stdin's JSON {path: rows} (bare NaN/Infinity allowed), as Trackio's
export_to_parquet does (its _write_parquet_rows, read in trackio 0.36's sqlite_storage.py):
columns in first-seen order, pyarrow's Table.from_pylist, write_table with the page index and
content-defined chunking where this pyarrow has them. Exit 3 when pyarrow is missing."""
import json
import sys

try:
    import pyarrow as pa
    import pyarrow.parquet as pq
except ImportError:
    sys.exit(3)


def write(path, rows):
    names = []
    for row in rows:
        for key in row:
            if key not in names:
                names.append(key)
    table = pa.Table.from_pylist([{key: row.get(key) for key in names} for row in rows])
    try:
        pq.write_table(table, path, write_page_index=True, use_content_defined_chunking=True)
    except TypeError:
        pq.write_table(table, path)


# One interpreter for every file: importing pyarrow is the slow part.
for path, rows in json.load(sys.stdin).items():
    write(path, rows)
