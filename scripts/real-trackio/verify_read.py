"""Read every project back through real Trackio's read API; print a digest of what it sees."""
import sys, json, hashlib
import load_trackio as L
S = L.SQLiteStorage
out = {}
for p in S.get_projects():
    runs = S.get_runs(p)
    pr = {}
    for r in runs:
        logs = S.get_logs(p, r)
        pr[r] = {"logs": len(logs), "steps": sorted({l.get("step") for l in logs})[-1:] , "config": sorted((S.get_run_config(p, r) or {}).keys()),
                 "system": len(S.get_system_logs(p, r)), "alerts": len(S.get_alerts(p, run_name=r))}
    pr["_artifacts"] = len(S.list_artifacts(p))
    out[p] = pr
print(json.dumps(out, sort_keys=True, default=str))
