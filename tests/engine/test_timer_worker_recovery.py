"""The timer worker outlives the database: an error in a pass (connection cut, server restarting, a
lock or statement timeout) is logged and retried after a capped, doubling wait, and the timers due
meanwhile fire once the database answers again. It stops cleanly on SIGTERM or after --max-iterations."""

import logging
import os
import signal
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from engine.core import clock
from engine.models import AuditEvent, Instance
from engine.process import timers
from tests.helpers import start

ROOT = Path(__file__).resolve().parents[2]
# The command as installed, run from this checkout's root (the console script may point elsewhere).
CWFLOW = [sys.executable, "-c", "from cli.main import main; main()"]
STARTED = "2026-03-02T10:00:00+08:00"
SECOND_DUE = datetime.fromisoformat("2026-04-02T00:00:00+08:00")  # the notice runs out when 1 April is over
AFTER_FIRST = datetime.fromisoformat("2026-03-28T10:00:00+08:00")
# Nothing listens on port 1: every connection is refused at once, as by a database that is down.
REFUSING_DATABASE = "postgresql+psycopg://postgres@127.0.0.1:1/cwflow_down"


def _resignation_cases(as_user, count: int) -> list[int]:  # noqa: ANN001
    hr = as_user("hr_s01")
    ids = []
    for n in range(count):
        worker = hr.post("/api/v1/workers", json={"name": f"恢复{n}", "org": "S01C01"}).get_json()
        with clock.frozen(datetime.fromisoformat(STARTED)):
            response = start(hr, "resignation", "S01C01", {"worker_id": worker["id"], "reason": "个人原因",
                                                           "submitted_on": "2026-03-02"}, business_key=f"R-{n}")
        assert response.status_code == 201, response.get_json()
        ids.append(response.get_json()["id"])
    return ids


def test_the_worker_survives_database_errors_and_fires_the_due_timers_once_the_database_is_back(
        app, as_user, monkeypatch, caplog):
    from web.extensions import db

    ids = _resignation_cases(as_user, 2)
    real_fire_batch = timers.fire_batch
    failures = {"left": 3}

    def database_down_three_times(session, at, report, *, size):  # noqa: ANN001, ANN202
        if failures["left"]:
            failures["left"] -= 1
            raise OperationalError("SELECT instances", {}, Exception("server closed the connection unexpectedly"))
        return real_fire_batch(session, at, report, size=size)

    monkeypatch.setattr(timers, "fire_batch", database_down_three_times)
    waits: list[float] = []
    caplog.set_level(logging.INFO, logger="engine.process.timers")
    with app.app_context(), clock.frozen(AFTER_FIRST):
        passes = timers.run_worker(lambda: db.session, interval=0.0, max_iterations=5,
                                   backoff=timers.Backoff(first=1.0, cap=3.0), sleep=waits.append)
        db.session.expire_all()
        for instance_id in ids:
            assert db.session.get(Instance, instance_id).next_timer_at == SECOND_DUE
            assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
                AuditEvent.instance_id == instance_id, AuditEvent.type == "timer_fired")) == 1
    assert passes == 5
    assert waits[:3] == [1.0, 2.0, 3.0]  # doubling, capped
    messages = [r.getMessage() for r in caplog.records]
    assert sum("database error OperationalError" in m for m in messages) == 3
    assert any("database reachable again after 3 failed attempt(s)" in m for m in messages)
    assert any(m.startswith("timers: batch claimed 2, fired 2") for m in messages)


def _worker(*args: str) -> subprocess.Popen:
    env = {**os.environ, "CWFLOW_DATABASE_URL": REFUSING_DATABASE, "CWFLOW_SECRET_KEY": "test-secret"}
    return subprocess.Popen([*CWFLOW, "timers", "run", "--interval", "0.2", *args], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def test_the_worker_keeps_running_while_the_database_refuses_and_stops_cleanly_on_sigterm():
    worker = _worker("--max-retry-wait", "0.5")
    try:
        time.sleep(6)
        assert worker.poll() is None, worker.communicate()[0]
        worker.send_signal(signal.SIGTERM)
        output, _ = worker.communicate(timeout=5)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.communicate()
    assert worker.returncode == 0, output
    assert output.count("database error OperationalError") >= 2, output
    assert "Traceback" not in output
    assert "timer worker stopped after" in output


def test_the_worker_stops_after_max_iterations_even_while_the_database_refuses():
    worker = _worker("--max-retry-wait", "0.1", "--max-iterations", "3")
    output, _ = worker.communicate(timeout=60)
    assert worker.returncode == 0, output
    assert output.count("database error OperationalError") == 3, output
    assert "timer worker stopped after 3 pass(es)" in output
