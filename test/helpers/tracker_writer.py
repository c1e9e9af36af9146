"""A tracker as the tests need one: it creates a run and appends metric lines to metrics.jsonl the
way a Python experiment tracker does (append mode, json.dumps with its bare NaN, flush, sometimes
fsync), each record in several write() calls so that a SIGKILL can land in the middle of one.

usage: tracker_writer.py RUN_DIR RECORDS THEN [SEED]
  RECORDS  complete records to write first
  THEN     what to do next, then print "ready <bytes in metrics.jsonl>" and wait to be killed:
             between  nothing (the kill lands between records)
             half     write the first half of the next record
             torn     write the next record up to the middle of a multi-byte character
             newline  write the next record without its '\n'
             free     print "ready" at once and keep appending records until killed
"""

import json
import os
import random
import sys
import time

run_dir, records, then = sys.argv[1], int(sys.argv[2]), sys.argv[3]
rng = random.Random(int(sys.argv[4]) if len(sys.argv) > 4 else 0)

os.makedirs(run_dir, exist_ok=True)
with open(os.path.join(run_dir, "config.json"), "w", encoding="utf-8") as f:
    json.dump({"learning_rate": 0.001, "optimizer": "AdamW", "notes": "première série ☕"}, f)

metrics = open(os.path.join(run_dir, "metrics.jsonl"), "ab")
written = 0


def record(step):
    loss = float("nan") if step == 2 else round(2.5 / (step + 1), 6)
    # ensure_ascii=False: UTF-8 on disk, so a kill can tear a multi-byte character
    return (json.dumps({"step": step, "timestamp": 1767263400.0 + step, "loss": loss, "val/損失": loss / 2}, ensure_ascii=False) + "\n").encode("utf-8")


def put(data):
    global written
    metrics.write(data)
    metrics.flush()  # the bytes reach the file: a kill after this keeps them
    written += len(data)
    if then == "free":
        time.sleep(0.0002)  # the writer spends its time between write() calls, so a kill usually lands mid-record


def append(step):
    data = record(step)
    # several write() calls per record, as buffered writers and large records make happen
    cuts = sorted(rng.sample(range(1, len(data)), 2))
    put(data[: cuts[0]])
    put(data[cuts[0] : cuts[1]])
    put(data[cuts[1] :])
    if step % 4 == 0:
        os.fsync(metrics.fileno())


def ready():
    print("ready", written, flush=True)


for step in range(records):
    append(step)

if then == "free":
    ready()
    step = records
    while True:
        append(step)
        step += 1

data = record(records)
if then == "half":
    put(data[: len(data) // 2])
elif then == "torn":
    put(data[: data.index("損".encode("utf-8")) + 1])
elif then == "newline":
    put(data[:-1])
elif then != "between":
    sys.exit("unknown THEN: " + then)
ready()
time.sleep(600)
