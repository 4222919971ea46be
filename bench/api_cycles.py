"""1,000 resignation cases through the REST API on PostgreSQL behind gunicorn, against the raw engine.

Each cycle: start a case, then complete its three tasks (street review, street decision, handover)
until the case is completed — what other systems do through the API. The baseline is the raw
SpiffWorkflow engine doing the same four steps in memory in this process.

    .venv/bin/python bench/api_cycles.py [--cycles 1000] [--threads 8] [--database-url URL]
"""

import argparse
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._server import Client, fresh_database, gunicorn, percentile, save  # noqa: E402

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/cwflow_bench"
REVIEW = {"decision": "approve", "unfinished_business": False}
DECISION = {"decision": "approve"}
HANDOVER = {"handover_confirmed": True, "handed_over_to": "赵敏", "audit_required": False}


def raw_engine_cycles(count: int) -> float:
    """Seconds for `count` cases in the raw engine: parse once, then start and run three tasks."""
    from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine, TaskDataEnvironment
    from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
    from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
    from SpiffWorkflow.util.task import TaskState

    parser = SpiffBpmnParser()
    parser.add_bpmn_file(str(Path(__file__).resolve().parent.parent / "workflows/resignation.bpmn"))
    spec, subprocesses = parser.get_spec("resignation"), parser.get_subprocess_specs("resignation")
    def ignore(*args: object, **kwargs: object) -> None:
        """Side effects the raw engine has no database for (outcome, worker status, notices)."""

    helpers = {"policy": lambda name: {"resignation_decision_days": 30}.get(name, 5),
               "add_days": lambda day, n: day, "set_outcome": ignore, "set_worker_status": ignore,
               "notify": ignore}
    engine = PythonScriptEngine(environment=TaskDataEnvironment(helpers))
    answers = {"street_review": REVIEW, "street_decision": DECISION, "handover": HANDOVER}
    started = time.perf_counter()
    for n in range(count):
        workflow = BpmnWorkflow(spec, subprocesses, script_engine=engine)
        workflow.get_tasks(state=TaskState.READY)[0].set_data(
            worker_id=n, reason="r", submitted_on="2026-11-02",
            worker={"id": n, "flags": {}, "status": "active"})
        workflow.do_engine_steps()
        while not workflow.is_completed():
            task = workflow.get_tasks(state=TaskState.READY, manual=True)[0]
            name = task.task_spec.bpmn_id
            task.set_data(**{f"resignation_{name}": answers[name]})
            task.run()
            workflow.do_engine_steps()
    return time.perf_counter() - started


def make_workers(port: int, count: int) -> list[int]:
    hr = Client(port).login("hr_s01")
    ids = []
    for n in range(count):
        status, body = hr.call("POST", "/api/v1/workers", {"name": f"测试{n}", "org": "S01C01", "status": "active"})
        assert status == 201, body
        ids.append(body["id"])
    return ids


def run_cycles(port: int, worker_ids: list[int], threads: int) -> tuple[float, list[float], list[float]]:
    """Returns wall seconds, start latencies and completion latencies."""
    starts: list[float] = []
    completions: list[float] = []
    chunks = [worker_ids[i::threads] for i in range(threads)]
    clients = [(Client(port).login("hr_s01"), Client(port).login("leader_s01")) for _ in range(threads)]

    def work(index: int) -> None:
        hr, leader = clients[index]
        for worker_id in chunks[index]:
            t0 = time.perf_counter()
            status, case = hr.call("POST", "/api/v1/processes/resignation/instances", {
                "org": "S01C01", "business_key": f"BENCH-{worker_id}",
                "data": {"worker_id": worker_id, "reason": "个人原因", "submitted_on": "2026-11-02"}})
            starts.append(time.perf_counter() - t0)
            assert status == 201, case
            for user, data in ((hr, REVIEW), (leader, DECISION), (hr, HANDOVER)):
                task_id = case["open_tasks"][0]["id"]
                t0 = time.perf_counter()
                status, body = user.call("POST", f"/api/v1/tasks/{task_id}/complete", {"data": data})
                completions.append(time.perf_counter() - t0)
                assert status == 200, body
                case = body["instance"]
            assert case["status"] == "completed" and case["outcome"] == "approved", case

    began = time.perf_counter()
    pool = [threading.Thread(target=work, args=(i,)) for i in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return time.perf_counter() - began, starts, completions


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cycles", type=int, default=1000)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--database-url", default=DEFAULT_URL)
    args = parser.parse_args()

    baseline = raw_engine_cycles(args.cycles)
    fresh_database(args.database_url)
    with gunicorn(args.database_url, workers=args.workers) as (port, _proc):
        worker_ids = make_workers(port, args.cycles)
        wall, starts, completions = run_cycles(port, worker_ids, args.threads)
    ms = 1000
    result = {
        "cycles": args.cycles, "client_threads": args.threads, "gunicorn_workers": args.workers,
        "database": args.database_url.split("@")[-1],
        "api_wall_seconds": round(wall, 2), "cycles_per_second": round(args.cycles / wall, 1),
        "starts_per_second": round(len(starts) / wall, 1),
        "completions_per_second": round(len(completions) / wall, 1),
        "start_p50_ms": round(percentile(starts, .5) * ms, 1), "start_p95_ms": round(percentile(starts, .95) * ms, 1),
        "complete_p50_ms": round(percentile(completions, .5) * ms, 1),
        "complete_p95_ms": round(percentile(completions, .95) * ms, 1),
        "raw_engine_seconds": round(baseline, 2), "ratio_api_to_raw_engine": round(wall / baseline, 1),
    }
    path = save("api_cycles", result)
    width = max(len(k) for k in result)
    for key, value in result.items():
        print(f"{key:<{width}}  {value}")
    print(f"saved {path}")


if __name__ == "__main__":
    main()
