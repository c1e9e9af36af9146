"""Run real Trackio's bulk_log, and SIGKILL this process at a chosen point inside it:
  after-commit : the transaction committed to the -wal, the connection never closed (no checkpoint)
  mid-txn      : rows inserted, pages spilled to the -wal (tiny cache), never committed
  nth-commit N : after the Nth committed bulk_log (same as after-commit, with N-1 clean ones before)
"""
import os, sys, signal, uuid
from contextlib import contextmanager
import load_trackio as L
S = L.SQLiteStorage
mode, project = sys.argv[1], sys.argv[2]
nth = int(sys.argv[3]) if len(sys.argv) > 3 else 1
orig = S._get_connection
count = {"commits": 0}

class Proxy:
    def __init__(self, conn): self._c = conn
    def __getattr__(self, k): return getattr(self._c, k)
    def __enter__(self): return self
    def __exit__(self, *a): return self._c.__exit__(*a)
    def cursor(self):
        cur = self._c.cursor()
        if armed():
            real = cur.executemany
            class C:
                def __getattr__(s, k): return getattr(cur, k)
                def executemany(s, sql, data):
                    r = real(sql, data)
                    if "INSERT OR IGNORE INTO metrics" in sql:
                        state["inserted"] = True
                        if mode == "mid-txn":
                            os.kill(os.getpid(), signal.SIGKILL)
                    return r
            return C()
        return cur
    def commit(self):
        r = self._c.commit()
        count["commits"] += 1
        if mode in ("after-commit", "nth-commit") and state.get("inserted"):
            os.kill(os.getpid(), signal.SIGKILL)
        return r

state = {"calls": 0}
def armed():
    return state["calls"] >= nth

@contextmanager
def patched(db_path, **kw):
    with orig(db_path, **kw) as conn:
        if state["calls"] >= nth:
            conn.execute("PRAGMA cache_size = 5")  # spill uncommitted pages to the -wal
        yield Proxy(conn)
S._get_connection = staticmethod(patched)

for call in range(1, nth + 1):
    state["calls"] = call
    n = 3000
    base = (call - 1) * n
    S.bulk_log(project, "run-k", [{"loss": 1.0 / (base + j + 1), "lr": 3e-05, "pad": "x" * 200} for j in range(n)],
               steps=list(range(base, base + n)), log_ids=[uuid.uuid4().hex for _ in range(n)], run_id="kkkk", config={"lr": 3e-05})
print("not killed?")
