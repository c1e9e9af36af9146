"""Load real Trackio's storage modules without gradio: a bare `trackio` package whose
__path__ is the checked-out source, plus stubs for gradio_client."""
import sys, types
import os
SRC = os.path.join(os.environ.get("TRACKIO_SRC", "/work/trackio-src"), "trackio")
gc = types.ModuleType("gradio_client")
class FileData(dict):
    pass
gc.FileData = FileData
gc.handle_file = lambda p: {"path": str(p)}
class Client:  # remote dashboards only; never reached for a local run
    def __init__(self, *a, **k):
        raise RuntimeError("gradio_client stubbed")
gc.Client = Client
sys.modules.setdefault("gradio_client", gc)
pkg = types.ModuleType("trackio")
pkg.__path__ = [SRC]
sys.modules["trackio"] = pkg
# commit_scheduler needs a huggingface_hub API this environment's version lacks; local storage never uses it.
cs = types.ModuleType("trackio.commit_scheduler")
class CommitScheduler:  # only referenced for Space/dataset sync
    def __init__(self, *a, **k):
        raise RuntimeError("CommitScheduler stubbed")
cs.CommitScheduler = CommitScheduler
sys.modules["trackio.commit_scheduler"] = cs
from trackio import sqlite_storage  # noqa: E402
SQLiteStorage = sqlite_storage.SQLiteStorage
