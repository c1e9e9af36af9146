"""Apply Trackio's own operations to a data dir written by gen_basic.py."""
import os, sys
from pathlib import Path
import load_trackio as L
S = L.SQLiteStorage
op = sys.argv[1]
if op == "rename":
    S.rename_run("proj", "run-b", "run-b-renamed")
elif op == "move":
    print(S.move_run("proj", "run-a", "other"))
elif op == "delete":
    print(S.delete_run("proj", "run-b"))
elif op == "parquet":
    S._dataset_import_attempted = True
    S.export_to_parquet()
elif op == "static":
    S.export_for_static_space("proj", Path(sys.argv[2]))
elif op == "metadata":
    S.set_project_metadata("proj", "space_id", "user/space")
else:
    raise SystemExit("unknown op " + op)
print("runs proj", S.get_runs("proj"), "other", S.get_runs("other") if S.get_project_db_path("other").exists() else None)
