"""Index-only damage in a SQLite database: the index is hidden from the schema while its table
changes (one row moved to another row id, so the index entry names a row that is gone, or one row
deleted), then shown again. Every page stays
well-formed (quick_check passes); the index no longer matches its table.
usage: stale_index.py DB INDEX update|delete"""
import sqlite3, sys

path, index, how = sys.argv[1], sys.argv[2], sys.argv[3]
c = sqlite3.connect(path)
row = c.execute("SELECT type, name, tbl_name, rootpage, sql FROM sqlite_master WHERE name = ?", (index,)).fetchone()
c.execute("PRAGMA writable_schema = ON")
c.execute("DELETE FROM sqlite_master WHERE name = ?", (index,))
c.commit()
c.close()
c = sqlite3.connect(path)
table = row[2]
if how == "update":
    c.execute(f'UPDATE "{table}" SET rowid = (SELECT max(rowid) + 1000 FROM "{table}") WHERE rowid = (SELECT min(rowid) FROM "{table}")')
else:
    c.execute(f'DELETE FROM "{table}" WHERE rowid = (SELECT min(rowid) FROM "{table}")')
c.commit()
c.execute("PRAGMA writable_schema = ON")
c.execute("INSERT INTO sqlite_master VALUES (?, ?, ?, ?, ?)", row)
c.commit()
c.close()
