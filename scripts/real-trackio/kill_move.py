"""Real Trackio's move_run, SIGKILLed at a chosen point:
  after-target : right after the target project committed (before media move and source delete)
  after-media  : after the media directory moved, before the source rows are deleted
"""
import os, sys, signal
import load_trackio as L
S = L.SQLiteStorage
point = sys.argv[1]
orig = S._move_media_dir
def killer(src, dst):
    if point == "after-target":
        os.kill(os.getpid(), signal.SIGKILL)
    orig(src, dst)
    os.kill(os.getpid(), signal.SIGKILL)
S._move_media_dir = staticmethod(killer)
S.move_run("proj", "run-a", "other")
print("not killed?")
