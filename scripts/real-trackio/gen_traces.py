"""Traces, a markdown and a nested media object inside a trace, through real Trackio's Run; then parquet export."""
import numpy as np
import load_trackio as L
from trackio import run as runmod
from trackio.trace import Trace
from trackio.media import TrackioImage
r = runmod.Run(url=None, project="chat", client=None, name="agent", config={"model": "tiny"})
for s in range(4):
    r.log({"reward": s * 0.5, "conv": Trace([{"role": "user", "content": f"hi {s}"}, {"role": "assistant", "content": "hello", "image": TrackioImage(np.zeros((2, 2, 3), dtype=np.uint8))}], metadata={"temp": 0.7, "score": float("nan")})})
r.log({"convs": [Trace([{"role": "user", "content": "a"}]), Trace([{"role": "user", "content": "b"}])]})
r.finish()
S = L.SQLiteStorage
S._dataset_import_attempted = True
S.export_to_parquet()
S.rename_run("chat", "agent", "agent2")
print(S.get_runs("chat"))
