"""An artifact with a reference entry, linked into a registry collection, through real Trackio's Run."""
import os, tempfile
import load_trackio as L
from trackio import run as runmod
from trackio.artifact import Artifact
from trackio import registry_storage as R
R.RegistryStorage.create_registry("models", description="best models") if hasattr(R, "RegistryStorage") else None
r = runmod.Run(url=None, project="reg", client=None, name="train")
r.log({"loss": 0.5})
tmp = tempfile.mkdtemp()
with open(os.path.join(tmp, "w.bin"), "wb") as f: f.write(b"weights" * 100)
a = Artifact(name="net", type="model")
a.add_file(os.path.join(tmp, "w.bin"))
try:
    a.add_reference("https://example.com/data.csv", name="data.csv", checksum=False)
except TypeError as e:
    print("add_reference signature:", e)
r.log_artifact(a, aliases=["prod"])
try:
    r.link_artifact(a, "registry-models/classifier", aliases=["best"])
except Exception as e:
    print("link failed:", repr(e)[:300])
r.finish()
