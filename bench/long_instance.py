"""Benchmark 4: a long-lived instance — the cost of one completion after 200 prior steps vs after 2.

bench/fixtures/bench_loop.bpmn loops one user task through a merge gateway. Through the API
(in-process test client, PostgreSQL) we time `--samples` completions of instances that have taken
2 steps and of one that has taken `--steps`; the saved state size is reported beside it. The
baseline is the raw engine doing the same in memory, with and without a JSON round trip per step.
Goal: after 200 steps a completion costs at most 1.5x what it costs after 2.

    .venv/bin/python bench/long_instance.py [--steps 200] [--samples 50]
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import raw_engine  # noqa: E402
from bench._server import TestClientApi, inprocess_app, own_peak_rss_mb, print_table, save  # noqa: E402

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/cwflow_bench_loop"
GOAL_RATIO = 1.5
AGAIN = {"data": {"again": True}}


def api_costs(api: TestClientApi, steps: int, samples: int) -> tuple[list[float], list[float], int, int]:
    """Seconds per completion after 2 steps (one fresh instance per sample) and after `steps`."""

    def start(n: int) -> str:
        status, case = api.call("POST", "/api/v1/processes/bench_loop/instances",
                                {"org": "S01C01", "data": {"subject": "长流程", "n": n}})
        assert status == 201, case
        return case["open_tasks"][0]["id"]

    def step(task_id: str) -> tuple[float, dict]:
        t0 = time.perf_counter()
        status, body = api.call("POST", f"/api/v1/tasks/{task_id}/complete", AGAIN)
        elapsed = time.perf_counter() - t0
        assert status == 200, body
        return elapsed, body["instance"]

    short, long = [], []
    short_instance = long_instance = None
    for n in range(samples):
        task_id = start(n)
        for _ in range(2):
            _, short_instance = step(task_id)
            task_id = short_instance["open_tasks"][0]["id"]
        elapsed, _ = step(task_id)
        short.append(elapsed)
    task_id = start(samples)
    for _ in range(steps):
        _, long_instance = step(task_id)
        task_id = long_instance["open_tasks"][0]["id"]
    for _ in range(samples):
        elapsed, long_instance = step(task_id)
        long.append(elapsed)
        task_id = long_instance["open_tasks"][0]["id"]
    return short, long, _state_size(short_instance["id"]), _state_size(long_instance["id"])


def _state_size(instance_id: int) -> int:
    from engine.models import Instance
    from web.extensions import db

    return len(db.session.get(Instance, instance_id).state)


def raw_costs(steps: int, samples: int, roundtrip: bool) -> tuple[float, float]:
    specs = raw_engine.spec("bench_loop")

    def advance(workflow, count: int):  # noqa: ANN001, ANN202
        times = []
        for _ in range(count):
            t0 = time.perf_counter()
            if roundtrip:
                workflow = raw_engine.roundtrip(workflow)
            raw_engine.complete_first(workflow, "bench_loop_step", {"again": True})
            times.append(time.perf_counter() - t0)
        return workflow, times

    short = []
    for n in range(samples):
        workflow = raw_engine.start(specs, {"bench_loop_start": {"subject": "长流程", "n": n}})
        workflow, _ = advance(workflow, 2)
        short.extend(advance(workflow, 1)[1])
    workflow = raw_engine.start(specs, {"bench_loop_start": {"subject": "长流程", "n": 0}})
    workflow, _ = advance(workflow, steps)
    long = advance(workflow, samples)[1]
    return statistics.median(short), statistics.median(long)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--samples", type=int, default=50)
    parser.add_argument("--database-url", default=DEFAULT_URL)
    args = parser.parse_args()

    app = inprocess_app(args.database_url, ("bench_loop",))
    api = TestClientApi(app, "hr_s01")
    with app.app_context():
        short, long, short_bytes, long_bytes = api_costs(api, args.steps, args.samples)
    api_short, api_long = statistics.median(short) * 1000, statistics.median(long) * 1000
    raw_short, raw_long = (v * 1000 for v in raw_costs(args.steps, args.samples, roundtrip=False))
    rt_short, rt_long = (v * 1000 for v in raw_costs(args.steps, args.samples, roundtrip=True))
    ratio = api_long / api_short
    result = {
        "benchmark": "long_instance", "steps": args.steps, "samples": args.samples,
        "api_ms_after_2": round(api_short, 2), f"api_ms_after_{args.steps}": round(api_long, 2),
        "api_ratio": round(ratio, 2), "state_bytes_after_2": short_bytes,
        f"state_bytes_after_{args.steps}": long_bytes,
        "raw_ms_after_2": round(raw_short, 3), f"raw_ms_after_{args.steps}": round(raw_long, 3),
        "raw_ratio": round(raw_long / raw_short, 2),
        "raw_json_ms_after_2": round(rt_short, 3), f"raw_json_ms_after_{args.steps}": round(rt_long, 3),
        "raw_json_ratio": round(rt_long / rt_short, 2), "goal_ratio": GOAL_RATIO,
        "peak_rss_mb_app_process": round(own_peak_rss_mb(), 1),
    }
    print_table(f"Completion cost after 2 and after {args.steps} prior steps (median of {args.samples}), ms", [
        ("API (PostgreSQL, in-process)", round(api_short, 2), round(api_long, 2), f"{ratio:.2f}x",
         f"<= {GOAL_RATIO}x", "met" if ratio <= GOAL_RATIO else "NOT met"),
        ("raw engine, memory", round(raw_short, 3), round(raw_long, 3), f"{raw_long / raw_short:.2f}x", "", ""),
        ("raw engine + JSON round trip", round(rt_short, 3), round(rt_long, 3), f"{rt_long / rt_short:.2f}x", "", ""),
    ], ("path", "after 2", f"after {args.steps}", "ratio", "goal", "status"))
    print(f"saved state: {short_bytes:,} bytes after 2 steps, {long_bytes:,} after {args.steps + args.samples}")
    print(f"saved {save('long_instance', result)}")


if __name__ == "__main__":
    main()
