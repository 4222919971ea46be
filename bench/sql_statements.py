"""Benchmark 2: SQL statements per start and per task completion, counted with an SQLAlchemy hook.

The API is driven in-process (Flask test client, PostgreSQL) so that every statement the request
sends is seen by a `before_cursor_execute` listener; commits are counted apart. The statements of
one completion are listed, which is where to look when the count grows. The raw engine sends none:
its figure is the time per step, given beside ours for scale.

    .venv/bin/python bench/sql_statements.py [--cases 200]
"""

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import raw_engine  # noqa: E402
from bench._server import TestClientApi, inprocess_app, own_peak_rss_mb, print_table, save  # noqa: E402

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/cwflow_bench_sql"
GOAL = 12
PEER = 104


class StatementCounter:
    def __init__(self) -> None:
        self.statements: list[str] = []
        self.commits = 0
        self.active = False

    def attach(self, engine) -> None:  # noqa: ANN001
        from sqlalchemy import event

        @event.listens_for(engine, "before_cursor_execute")
        def _count(conn, cursor, statement, parameters, context, executemany):  # noqa: ANN001
            if self.active:
                self.statements.append(" ".join(statement.split()))

        @event.listens_for(engine, "commit")
        def _commit(conn):  # noqa: ANN001
            if self.active:
                self.commits += 1

    def run(self, fn):  # noqa: ANN001, ANN201
        self.statements, self.commits, self.active = [], 0, True
        try:
            return fn()
        finally:
            self.active = False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=200)
    parser.add_argument("--database-url", default=DEFAULT_URL)
    args = parser.parse_args()

    app = inprocess_app(args.database_url, ("bench_one_task",))
    counter = StatementCounter()
    with app.app_context():
        from web.extensions import db

        counter.attach(db.engine)
    api = TestClientApi(app, "hr_s01")
    start_counts, complete_counts, start_commits, complete_commits = [], [], [], []
    start_seconds = complete_seconds = 0.0
    last_completion: list[str] = []
    for n in range(args.cases):
        t0 = time.perf_counter()
        status, case = counter.run(lambda n=n: api.call("POST", "/api/v1/processes/bench_one_task/instances", {
            "org": "S01C01", "business_key": f"SQL-{n}", "data": {"subject": "基准", "n": n}}))
        start_seconds += time.perf_counter() - t0
        assert status == 201, case
        start_counts.append(len(counter.statements))
        start_commits.append(counter.commits)
        task_id = case["open_tasks"][0]["id"]
        t0 = time.perf_counter()
        status, body = counter.run(lambda task_id=task_id: api.call(
            "POST", f"/api/v1/tasks/{task_id}/complete", {"data": {"decision": "approve"}}))
        complete_seconds += time.perf_counter() - t0
        assert status == 200, body
        complete_counts.append(len(counter.statements))
        complete_commits.append(counter.commits)
        last_completion = counter.statements
    raw_start, raw_complete = raw_engine.one_task_cycles(args.cases, with_roundtrip=True)

    per_complete = sum(complete_counts) / len(complete_counts)
    per_start = sum(start_counts) / len(start_counts)
    result = {
        "benchmark": "sql_statements", "cases": args.cases,
        "statements_per_start": round(per_start, 2), "statements_per_completion": round(per_complete, 2),
        "max_statements_per_completion": max(complete_counts),
        "commits_per_start": max(start_commits), "commits_per_completion": max(complete_commits),
        "goal_per_completion": GOAL, "peer_per_completion": PEER,
        "in_process_ms_per_start": round(start_seconds / args.cases * 1000, 2),
        "in_process_ms_per_completion": round(complete_seconds / args.cases * 1000, 2),
        "raw_engine_json_roundtrip_ms_per_start": round(raw_start / args.cases * 1000, 2),
        "raw_engine_json_roundtrip_ms_per_completion": round(raw_complete / args.cases * 1000, 2),
        "statements_of_one_completion": last_completion,
        "peak_rss_mb_app_process": round(own_peak_rss_mb(), 1),
    }
    print_table(f"SQL statements per request ({args.cases} cases, in-process API on PostgreSQL)", [
        ("start", round(per_start, 2), max(start_commits), "-", "-", result["in_process_ms_per_start"],
         result["raw_engine_json_roundtrip_ms_per_start"]),
        ("completion", round(per_complete, 2), max(complete_commits), f"<= {GOAL}", PEER,
         result["in_process_ms_per_completion"], result["raw_engine_json_roundtrip_ms_per_completion"]),
    ], ("request", "statements", "commits", "goal", "peer", "ms (ours)", "ms (raw+json)"))
    print("\nstatements of one completion:")
    for number, statement in enumerate(last_completion, 1):
        print(f"  {number:2}. {statement[:150]}")
    status = "met" if per_complete <= GOAL else "NOT met"
    print(f"\ngoal <= {GOAL} per completion: {status}")
    print(f"saved {save('sql_statements', result)}")


if __name__ == "__main__":
    main()
