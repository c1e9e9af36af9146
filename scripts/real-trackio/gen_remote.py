"""A run logging to a Space that never answers: Trackio keeps the rows locally with space_id set."""
import os, numpy as np
import load_trackio as L
from trackio import run as runmod
from trackio.media import TrackioImage
r = runmod.Run(url="user/space", project="remote", client=None, name="offline-run", space_id="user/space", config={"lr": 1e-4})
for s in range(6):
    m = {"loss": 1.0 / (s + 1)}
    if s == 2:
        m["img"] = TrackioImage(np.zeros((4, 4, 3), dtype=np.uint8))
    r.log(m)
r.log_system({"cpu": 1.0})
r.finish()
S = L.SQLiteStorage
print("pending logs", (S.get_pending_logs("remote") or {}).keys())
print("pending uploads", S.get_pending_uploads("remote"))
