"""Benchmark 6: 10,000 instances with due timers, two `cwflow timers run` workers.

One bench_timer instance (bench/fixtures/bench_timer.bpmn: start → 1-second timer → script → end)
is started through the API and its row copied until there are `--instances` waiting on the same
due moment; then two `cwflow timers run` processes fire them. Goal: all fired within 60 s, each
exactly once (one `timer_fired` audit event per instance, every instance completed, `cwflow check`
clean). The baseline is the raw engine firing the same number of timers in memory in one process.

    .venv/bin/python bench/timers_load.py [--instances 10000] [--workers 2] [--limit 180]
"""

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import raw_engine  # noqa: E402
from bench._server import BIN, ROOT, TestClientApi, inprocess_app, print_table, save, server_env  # noqa: E402

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/cwflow_bench_timers"
GOAL_SECONDS = 60
COLUMNS = ("definition_id, key, version, org_code, org_path, status, initiator, worker_id, data, state, "
           "state_format, next_timer_at, lock_version, created_at, updated_at")


def seed(app, count: int) -> None:  # noqa: ANN001
    from sqlalchemy import text

    from web.extensions import db

    api = TestClientApi(app, "hr_s01")
    status, case = api.call("POST", "/api/v1/processes/bench_timer/instances",
                            {"org": "S01C01", "data": {"subject": "定时", "n": 0}})
    assert status == 201 and case["status"] == "running", case
    with app.app_context():
        db.session.execute(text(f"INSERT INTO instances ({COLUMNS}) SELECT {COLUMNS} FROM instances, "
                                "generate_series(2, :count) WHERE instances.id = :id"),
                           {"count": count, "id": case["id"]})
        db.session.commit()
        due = db.session.execute(text("SELECT max(next_timer_at) FROM instances")).scalar()
    wait = (due.timestamp() - time.time()) + 0.2
    if wait > 0:
        time.sleep(wait)


def fire_with_workers(url: str, workers: int, count: int, limit: float, log_dir: Path) -> tuple[float, int]:
    """Seconds until no instance is running (or `limit`), and the instances still running then."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    env = server_env(url)
    procs = []
    began = time.perf_counter()
    for n in range(workers):
        log = open(log_dir / f"timer_worker_{n}.log", "wb")  # noqa: SIM115 - closed with the process
        procs.append((subprocess.Popen([str(BIN / "cwflow"), "timers", "run", "--interval", "0.5"], env=env,
                                       cwd=ROOT, stdout=log, stderr=subprocess.STDOUT), log))
    running = count
    try:
        while time.perf_counter() - began < limit:
            with engine.connect() as conn:
                running = conn.execute(text("SELECT count(*) FROM instances WHERE status = 'running'")).scalar()
            if running == 0:
                break
            time.sleep(0.25)
        elapsed = time.perf_counter() - began
    finally:
        for proc, _log in procs:
            proc.send_signal(signal.SIGTERM)
        for proc, log in procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
            log.close()
        engine.dispose()
    return elapsed, running


def verify(url: str) -> dict:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as conn:
        fired = dict(conn.execute(text(
            "SELECT n, count(*) FROM (SELECT i.id, count(a.id) AS n FROM instances i LEFT JOIN audit_events a "
            "ON a.instance_id = i.id AND a.type = 'timer_fired' GROUP BY i.id) per GROUP BY n")).fetchall())
        statuses = dict(conn.execute(text("SELECT status, count(*) FROM instances GROUP BY status")).fetchall())
    engine.dispose()
    check = subprocess.run([str(BIN / "cwflow"), "check"], env=server_env(url), cwd=ROOT, capture_output=True,
                           text=True)
    return {"instances_by_timer_fired_events": {str(k): v for k, v in sorted(fired.items())},
            "instances_by_status": statuses, "check_exit": check.returncode,
            "check_summary": (check.stdout.strip().splitlines() or [""])[-1]}


def raw_fire(count: int) -> float:
    """Seconds for the raw engine to fire `count` due timers (workflows built beforehand)."""
    specs = raw_engine.spec("bench_timer")
    workflows = [raw_engine.start(specs, {"n": n}) for n in range(count)]
    time.sleep(1.1)
    began = time.perf_counter()
    for workflow in workflows:
        workflow.refresh_timers()
        workflow.do_engine_steps()
    elapsed = time.perf_counter() - began
    assert all(w.is_completed() for w in workflows)
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--limit", type=float, default=180, help="give up after this many seconds")
    parser.add_argument("--database-url", default=DEFAULT_URL)
    args = parser.parse_args()

    app = inprocess_app(args.database_url, ("bench_timer",))
    seed(app, args.instances)
    log_dir = ROOT / "bench" / "results"
    log_dir.mkdir(parents=True, exist_ok=True)
    elapsed, still_running = fire_with_workers(args.database_url, args.workers, args.instances, args.limit, log_dir)
    checks = verify(args.database_url)
    baseline = raw_fire(args.instances)
    exactly_once = checks["instances_by_timer_fired_events"] == {"1": args.instances}
    result = {
        "benchmark": "timers_load", "instances": args.instances, "timer_workers": args.workers,
        "seconds_to_fire_all": round(elapsed, 1) if not still_running else None,
        "still_running_at_limit": still_running, "fired_per_second": round((args.instances - still_running) / elapsed, 1),
        "raw_engine_seconds": round(baseline, 2), "raw_engine_fired_per_second": round(args.instances / baseline, 1),
        "ratio_to_raw_engine": round(elapsed / baseline, 1), "exactly_once": exactly_once,
        "goal_seconds": GOAL_SECONDS, **checks, "cpu_count": os.cpu_count(),
    }
    ok = not still_running and elapsed <= GOAL_SECONDS and exactly_once and checks["check_exit"] == 0
    print_table(f"Timers: {args.instances:,} due instances, {args.workers} `cwflow timers run` workers", [
        ("fire all (s)", round(elapsed, 1), round(baseline, 2), f"{elapsed / baseline:.1f}x", f"<= {GOAL_SECONDS}",
         "met" if ok else "NOT met"),
        ("fired per second", result["fired_per_second"], result["raw_engine_fired_per_second"], "", "", ""),
        ("timer_fired events per instance", checks["instances_by_timer_fired_events"], "", "", "{'1': all}",
         "met" if exactly_once else "NOT met"),
        ("cwflow check", checks["check_summary"], "", "", "0 difference(s)",
         "met" if checks["check_exit"] == 0 else "NOT met"),
    ], ("measure", "cwflow", "raw engine", "ratio", "goal", "status"))
    print(f"saved {save('timers_load', result)}")


if __name__ == "__main__":
    main()
