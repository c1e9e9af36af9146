"""Write a realistic Trackio data dir with real Trackio code: TRACKIO_DIR must be set."""
import os, sys, math, time, tempfile
import numpy as np
import load_trackio as L
from trackio import run as runmod
from trackio.media import TrackioImage
from trackio.table import Table
from trackio.histogram import Histogram
from trackio.alerts import AlertLevel
from trackio.artifact import Artifact
S = L.SQLiteStorage

def train(project, name, steps=20, config=None, nan=True, media=True):
    r = runmod.Run(url=None, project=project, client=None, name=name, config=config or {"lr": 3e-05, "layers": [64, 64], "opt": {"name": "adam", "beta": 0.9}})
    for s in range(steps):
        m = {"loss": 1.0 / (s + 1), "lr": 3e-05, "acc": s / steps, "train/grad_norm": 1e-12 * s, "big": 1e300, "neg": -2.5e-7}
        if nan and s == 3:
            m["loss"] = float("nan"); m["inf"] = float("inf"); m["ninf"] = float("-inf")
        if media and s == 5:
            m["img"] = TrackioImage(np.random.randint(0, 255, (8, 8, 3), dtype=np.uint8), caption="rand")
            m["tab"] = Table(columns=["a", "b"], data=[[1, "x"], [2, float("nan")]])
            m["hist"] = Histogram(np.random.randn(100))
        r.log(m)
    r.log_system({"cpu/util": 12.5, "gpu/0/mem": 1.5e9})
    r.alert("loss spike", text="loss went NaN", level=AlertLevel.WARN, step=3)
    r.alert("done", level=AlertLevel.INFO)
    return r

def main():
    d = os.environ["TRACKIO_DIR"]
    r1 = train("proj", "run-a")
    tmp = tempfile.mkdtemp()
    with open(os.path.join(tmp, "model.bin"), "wb") as f: f.write(os.urandom(4096))
    with open(os.path.join(tmp, "notes.txt"), "w") as f: f.write("hello\n")
    try:
        r1.log_artifact(tmp, name="model", type="model", aliases=["best"])
    except Exception as e:
        print("log_artifact failed:", repr(e))
    r1.finish()
    r2 = train("proj", "run-b", steps=10)
    r2.finish()
    r3 = train("other", "run-c", steps=5, media=False)
    r3.finish()
    print("projects", S.get_projects())
    print("runs", S.get_runs("proj"))

if __name__ == "__main__":
    main()
