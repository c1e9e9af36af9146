"""Index-only damage in a SQLite database: the index is hidden from the schema while its table
changes, then shown again. Every page stays well-formed (quick_check passes); the index no longer
matches its table. The change, by HOW:
- update: one row moved to another row id (the index entry names a row that is gone);
- delete: one row deleted;
- value: one indexed value changed in place (COLUMN and CHANGE given): `int` adds 1000 to an integer,
  `longer` appends a character to a text, `digit` changes a text's leading digit (same length).
usage: stale_index.py DB INDEX update|delete|value [COLUMN int|longer|digit]"""
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
elif how == "delete":
    c.execute(f'DELETE FROM "{table}" WHERE rowid = (SELECT min(rowid) FROM "{table}")')
else:
    column, change = sys.argv[4], sys.argv[5]
    c.execute("PRAGMA ignore_check_constraints = ON")
    if change == "int":
        target = c.execute(f'SELECT min(rowid) FROM "{table}" WHERE typeof("{column}") = \'integer\'').fetchone()[0]
        c.execute(f'UPDATE "{table}" SET "{column}" = "{column}" + 1000 WHERE rowid = ?', (target,))
    elif change == "longer":
        target = c.execute(f'SELECT min(rowid) FROM "{table}" WHERE typeof("{column}") = \'text\'').fetchone()[0]
        c.execute(f'UPDATE "{table}" SET "{column}" = "{column}" || \'x\' WHERE rowid = ?', (target,))
    else:
        target, value = c.execute(f'SELECT rowid, "{column}" FROM "{table}" WHERE typeof("{column}") = \'text\' AND "{column}" GLOB \'[0-8]*\' ORDER BY rowid LIMIT 1').fetchone()
        c.execute(f'UPDATE "{table}" SET "{column}" = ? WHERE rowid = ?', (str(int(value[0]) + 1) + value[1:], target))
    if target is None:
        sys.exit(f"no row of {table} has a value to change in {column}")
c.commit()
c.execute("PRAGMA writable_schema = ON")
c.execute("INSERT INTO sqlite_master VALUES (?, ?, ?, ?, ?)", row)
c.commit()
c.close()
