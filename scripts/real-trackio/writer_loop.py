"""Log forever through real Trackio's bulk_log/bulk_log_system/bulk_alert, big batches, until killed."""
import sys, uuid, time
import load_trackio as L
S = L.SQLiteStorage
project = sys.argv[1]
i = 0
print("ready", flush=True)
while True:
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 2000
    S.bulk_log(project, "run-k", [{"loss": 1.0 / (i + j + 1), "lr": 3e-05, "x": float("nan") if j % 97 == 0 else j} for j in range(n)],
               steps=list(range(i, i + n)), log_ids=[uuid.uuid4().hex for _ in range(n)], run_id="kkkk", config={"lr": 3e-05})
    S.bulk_log_system(project, "run-k", [{"cpu": 1.0}] * 50, log_ids=[uuid.uuid4().hex for _ in range(50)], run_id="kkkk")
    S.bulk_alert(project, "run-k", ["t"], [None], ["warn"], [i], alert_ids=[uuid.uuid4().hex], run_id="kkkk")
    i += n
    print("committed", i, time.time(), flush=True)
