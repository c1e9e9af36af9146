"""Write a project with an old Trackio's storage code (argv[1]: its source root), for migration tests."""
import sys, types, math
src = sys.argv[1]
gc = types.ModuleType("gradio_client"); gc.FileData = dict; gc.handle_file = lambda p: {"path": str(p)}
class Client:
    def __init__(self, *a, **k): raise RuntimeError("stub")
gc.Client = Client
sys.modules["gradio_client"] = gc
pkg = types.ModuleType("trackio"); pkg.__path__ = [src + "/trackio"]; sys.modules["trackio"] = pkg
cs = types.ModuleType("trackio.commit_scheduler")
class CommitScheduler:
    def __init__(self, *a, **k): raise RuntimeError("stub")
cs.CommitScheduler = CommitScheduler; sys.modules["trackio.commit_scheduler"] = cs
from trackio import sqlite_storage
S = sqlite_storage.SQLiteStorage
import inspect
sig = inspect.signature(S.bulk_log)
print("bulk_log", sig)
for run, n in (("old-a", 8), ("old-b", 4)):
    ms = [{"loss": 1.0 / (i + 1), "lr": 3e-05} for i in range(n)]
    ms[2]["loss"] = float("nan"); ms[3 % n]["inf"] = float("inf")
    kw = {}
    if "config" in sig.parameters: kw["config"] = {"lr": 3e-05}
    S.bulk_log("legacy", run, ms, steps=list(range(n)), **kw)
print(S.get_runs("legacy"))
