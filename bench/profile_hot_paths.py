"""Profiles of the hot paths (pyinstrument): start and completion through the API, in-process, on
PostgreSQL. Prints the call tree of each (frames under 2 % hidden) and saves it as text and HTML
in bench/results/ — the evidence behind the findings in bench/RESULTS.md.

    .venv/bin/python bench/profile_hot_paths.py [--cases 300]
"""

import argparse
import sys
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
    args = parser.parse_args()

    app = inprocess_app(args.database_url, ("bench_one_task",))
    api = TestClientApi(app, "hr_s01")
    for n in range(5):  # warm the caches (definition parse, compiled scripts) outside the profile
        _, case = api.call("POST", "/api/v1/processes/bench_one_task/instances",
                           {"org": "S01C01", "data": {"subject": "预热", "n": n}})
        api.call("POST", f"/api/v1/tasks/{case['open_tasks'][0]['id']}/complete", {"data": {"decision": "approve"}})

    task_ids = []
    starts = Profiler(interval=0.0005)
    starts.start()
    for n in range(args.cases):
        status, case = api.call("POST", "/api/v1/processes/bench_one_task/instances",
                                {"org": "S01C01", "data": {"subject": "基准", "n": n}})
        assert status == 201, case
        task_ids.append(case["open_tasks"][0]["id"])
    starts.stop()
    completions = Profiler(interval=0.0005)
    completions.start()
    for task_id in task_ids:
        status, body = api.call("POST", f"/api/v1/tasks/{task_id}/complete", {"data": {"decision": "approve"}})
        assert status == 200, body
    completions.stop()

    RESULTS.mkdir(parents=True, exist_ok=True)
    for name, profiler in (("start", starts), ("completion", completions)):
        text = profiler.output_text(unicode=False, color=False, show_all=args.show_all,
                                    processor_options={"filter_threshold": 0.02})
        (RESULTS / f"profile_{name}.txt").write_text(text)
        (RESULTS / f"profile_{name}.html").write_text(profiler.output_html())
        print(f"==== {name}: {args.cases} requests ====")
        print(text)
    print(f"saved {RESULTS}/profile_start.txt, profile_completion.txt (and .html)")


if __name__ == "__main__":
    main()
