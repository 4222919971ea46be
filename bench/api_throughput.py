"""Benchmark 1 (and 7): API throughput on PostgreSQL behind gunicorn, against the raw engine.

Start → one user task → end (bench/fixtures/bench_one_task.bpmn, deployed by the benchmark).
For each client thread count: first every start (POST /processes/bench_one_task/instances), then
every completion (POST /tasks/{id}/complete), each phase timed on its own, with p50/p95 latency.
The baseline is the raw SpiffWorkflow engine doing the same starts and completions in memory in
this process (and, for reference, with a JSON round trip per step). Peak RSS of the app workers
is sampled throughout (benchmark 7).

    .venv/bin/python bench/api_throughput.py [--cycles 2000] [--threads 1,8] [--workers 2]
"""

import argparse
import os
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import raw_engine  # noqa: E402
from bench._server import (
    Client,
    RssSampler,
    fresh_database,
    gunicorn,
    percentile,
    print_table,
    save,
    worker_pids,
)

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/cwflow_bench"
START_PATH = "/api/v1/processes/bench_one_task/instances"
REVIEW = {"decision": "approve", "comment": "同意"}
GOAL_PER_SECOND = 200
PEER_PER_SECOND = 20


def _run_threads(threads: int, work) -> float:  # noqa: ANN001
    began = time.perf_counter()
    pool = [threading.Thread(target=work, args=(i,)) for i in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return time.perf_counter() - began


def workers_cpu_seconds(master_pid: int) -> float:
    """CPU time (user + system) the gunicorn workers have used so far: on a shared machine the
    CPU per request says more than the wall-clock rate."""
    total = 0
    for pid in worker_pids(master_pid):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
    return total / os.sysconf("SC_CLK_TCK")


def api_phase(port: int, master_pid: int, cycles: int, threads: int, tag: str) -> dict:
    """All starts, then all completions, from `threads` keep-alive clients."""
    clients = [Client(port).login("hr_s01") for _ in range(threads)]
    starts: list[list[float]] = [[] for _ in range(threads)]
    completions: list[list[float]] = [[] for _ in range(threads)]
    task_ids: list[list[str]] = [[] for _ in range(threads)]
    share = [range(i, cycles, threads) for i in range(threads)]

    def start_all(index: int) -> None:
        for n in share[index]:
            t0 = time.perf_counter()
            status, case = clients[index].call("POST", START_PATH, {
                "org": "S01C01", "business_key": f"{tag}-{n}", "data": {"subject": "基准", "n": n}})
            starts[index].append(time.perf_counter() - t0)
            assert status == 201, case
            task_ids[index].append(case["open_tasks"][0]["id"])

    def complete_all(index: int) -> None:
        for task_id in task_ids[index]:
            t0 = time.perf_counter()
            status, body = clients[index].call("POST", f"/api/v1/tasks/{task_id}/complete", {"data": REVIEW})
            completions[index].append(time.perf_counter() - t0)
            assert status == 200 and body["instance"]["status"] == "completed", body

    cpu_before = workers_cpu_seconds(master_pid)
    start_wall = _run_threads(threads, start_all)
    cpu_started = workers_cpu_seconds(master_pid)
    complete_wall = _run_threads(threads, complete_all)
    cpu_completed = workers_cpu_seconds(master_pid)
    flat_starts = [v for part in starts for v in part]
    flat_completions = [v for part in completions for v in part]
    ms = 1000
    return {
        "threads": threads, "cycles": cycles,
        "starts_per_second": round(cycles / start_wall, 1),
        "completions_per_second": round(cycles / complete_wall, 1),
        "start_p50_ms": round(percentile(flat_starts, .5) * ms, 1),
        "start_p95_ms": round(percentile(flat_starts, .95) * ms, 1),
        "complete_p50_ms": round(percentile(flat_completions, .5) * ms, 1),
        "complete_p95_ms": round(percentile(flat_completions, .95) * ms, 1),
        "start_worker_cpu_ms": round((cpu_started - cpu_before) / cycles * ms, 1),
        "complete_worker_cpu_ms": round((cpu_completed - cpu_started) / cycles * ms, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cycles", type=int, default=2000, help="starts (and completions) per thread count")
    parser.add_argument("--threads", default="1,8", help="client thread counts, comma-separated")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2, help="gunicorn workers")
    parser.add_argument("--database-url", default=DEFAULT_URL)
    args = parser.parse_args()
    thread_counts = [int(t) for t in args.threads.split(",")]

    raw_start, raw_complete = raw_engine.one_task_cycles(args.cycles)
    rt_start, rt_complete = raw_engine.one_task_cycles(args.cycles, with_roundtrip=True)
    raw = {"starts_per_second": round(args.cycles / raw_start, 1),
           "completions_per_second": round(args.cycles / raw_complete, 1),
           "roundtrip_starts_per_second": round(args.cycles / rt_start, 1),
           "roundtrip_completions_per_second": round(args.cycles / rt_complete, 1)}

    fresh_database(args.database_url)
    with gunicorn(args.database_url, workers=args.workers, fixtures=("bench_one_task",)) as (port, proc):
        with RssSampler(proc.pid) as rss:
            Client(port).login("hr_s01")  # warm each worker's caches a little
            phases = [api_phase(port, proc.pid, args.cycles, threads, f"T{threads}") for threads in thread_counts]
    result = {
        "benchmark": "api_throughput", "database": args.database_url.split("@")[-1],
        "gunicorn_workers": args.workers, "raw_engine": raw, "api": phases,
        "peak_rss_mb_app_worker": rss.max_mb, "goal_per_second": GOAL_PER_SECOND,
        "peer_per_second": PEER_PER_SECOND,
    }
    rows = []
    for phase in phases:
        for what, prefix in (("starts", "start"), ("completions", "complete")):
            api_rate, raw_rate = phase[f"{what}_per_second"], raw[f"{what}_per_second"]
            rows.append((what, phase["threads"], api_rate, raw_rate, f"{raw_rate / api_rate:.1f}x",
                         raw[f"roundtrip_{what}_per_second"], phase[f"{prefix}_p50_ms"], phase[f"{prefix}_p95_ms"],
                         phase[f"{prefix}_worker_cpu_ms"],
                         f">= {GOAL_PER_SECOND}/s", "met" if api_rate >= GOAL_PER_SECOND else "NOT met"))
    print_table(f"API throughput, {args.cycles} per phase, {args.workers} gunicorn workers "
                f"(peak RSS of an app worker {rss.max_mb} MB)", rows,
                ("op", "threads", "api/s", "raw engine/s", "raw/api", "raw+json/s", "p50 ms", "p95 ms",
                 "worker CPU ms", "goal", "status"))
    print(f"saved {save('api_throughput', result)}")


if __name__ == "__main__":
    main()
