"""Profiles of the hot paths (pyinstrument): start and completion through the API, in-process, on
PostgreSQL. Prints the call tree of each (frames under 2 % hidden) and saves it as text and HTML
in bench/results/ — the evidence behind the findings in bench/RESULTS.md.

    .venv/bin/python bench/profile_hot_paths.py [--cases 300]
"""

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._server import RESULTS, TestClientApi, inprocess_app  # noqa: E402

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/cwflow_bench_profile"


def main() -> None:
    from pyinstrument import Profiler

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=300)
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--show-all", action="store_true", help="also show library frames")
    parser.add_argument("--cpu", action="store_true",
                        help="sample this thread's CPU time, not the wall clock (a busy machine's waits drop out)")
    args = parser.parse_args()
    if args.cpu:
        _sample_cpu_time()

    app = inprocess_app(args.database_url, ("bench_one_task",))
    api = TestClientApi(app, "hr_s01")
    for n in range(5):  # warm the caches (definition parse, compiled scripts) outside the profile
        _, case = api.call("POST", "/api/v1/processes/bench_one_task/instances",
                           {"org": "S01C01", "data": {"subject": "预热", "n": n}})
        api.call("POST", f"/api/v1/tasks/{case['open_tasks'][0]['id']}/complete", {"data": {"decision": "approve"}})

    task_ids = []
    cpu: dict[str, float] = {}
    starts = Profiler(interval=0.0005)
    cpu_began = time.process_time()
    starts.start()
    for n in range(args.cases):
        status, case = api.call("POST", "/api/v1/processes/bench_one_task/instances",
                                {"org": "S01C01", "data": {"subject": "基准", "n": n}})
        assert status == 201, case
        task_ids.append(case["open_tasks"][0]["id"])
    starts.stop()
    cpu["start"] = time.process_time() - cpu_began
    completions = Profiler(interval=0.0005)
    cpu_began = time.process_time()
    completions.start()
    for task_id in task_ids:
        status, body = api.call("POST", f"/api/v1/tasks/{task_id}/complete", {"data": {"decision": "approve"}})
        assert status == 200, body
    completions.stop()
    cpu["completion"] = time.process_time() - cpu_began

    RESULTS.mkdir(parents=True, exist_ok=True)
    for name, profiler in (("start", starts), ("completion", completions)):
        text = profiler.output_text(unicode=False, color=False, show_all=args.show_all,
                                    processor_options={"filter_threshold": 0.02})
        (RESULTS / f"profile_{name}.txt").write_text(text)
        (RESULTS / f"profile_{name}.html").write_text(profiler.output_html())
        print(f"==== {name}: {args.cases} requests ====")
        print(text)
    for name, seconds in cpu.items():  # the client runs in this process too, and the profiler adds some
        print(f"CPU per {name}: {seconds / args.cases * 1000:.1f} ms (client and profiler included)")
    print(f"saved {RESULTS}/profile_start.txt, profile_completion.txt (and .html)")


def _sample_cpu_time() -> None:
    """Drive pyinstrument's sampler by the thread's CPU clock. On a shared machine the wall clock
    mostly shows queries waiting for a core; the CPU clock shows what a request costs to run.
    pyinstrument offers this only through its sampler's `timer_func` (what its own tests use)."""
    from pyinstrument.stack_sampler import get_stack_sampler

    get_stack_sampler().timer_func = time.thread_time


if __name__ == "__main__":
    main()
