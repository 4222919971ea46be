"""The timer worker never hangs for good: a step stuck inside one call ends the worker for a restart, and
the restarted worker puts that case in `error` instead of firing it again; its memory is capped, so a
huge allocation fails that case's step instead of eating the host."""

import subprocess
import sys
import textwrap
import time
from pathlib import Path

from engine.models import AuditEvent, Instance
from engine.process import timer_watchdog, timers
from tests.engine.test_timer_batches import AFTER_FIRST, _start_cases

ROOT = Path(__file__).parents[2]

_STUCK_CHILD = textwrap.dedent("""
    import sys, time
    sys.path.insert(0, ".")
    from pathlib import Path
    from engine.process import timer_watchdog
    watchdog = timer_watchdog.Watchdog(Path(sys.argv[1]), limit=0.5)
    with watchdog.watch(42):
        time.sleep(60)  # one C call: no deadline checked between statements can stop it
    print("finished")
""")

_MEMORY_CHILD = textwrap.dedent("""
    import sys
    sys.path.insert(0, ".")
    from engine.process import timer_watchdog
    timer_watchdog.cap_memory(1024)
    try:
        block = bytearray(3 * 10**9)
    except MemoryError:
        print("refused")
    else:
        print("allocated", len(block))
""")


def test_a_step_stuck_inside_one_call_ends_the_worker_quickly_and_names_the_case(tmp_path):
    marker = tmp_path / "timer-step.inflight"
    began = time.monotonic()
    done = subprocess.run([sys.executable, "-c", _STUCK_CHILD, str(marker)], capture_output=True, text=True,
                          timeout=20, cwd=str(ROOT))
    assert time.monotonic() - began < 10
    assert done.returncode == timer_watchdog.EXIT_STUCK and "finished" not in done.stdout
    assert "instance 42" in done.stderr
    assert timer_watchdog.Watchdog(marker).leftover() == 42


def test_the_worker_memory_is_capped_so_a_huge_allocation_fails_at_once():
    done = subprocess.run([sys.executable, "-c", _MEMORY_CHILD], capture_output=True, text=True, timeout=20,
                          cwd=str(ROOT))
    assert done.stdout.strip() == "refused", done.stdout + done.stderr


def test_the_restarted_worker_puts_the_stuck_case_in_error_and_fires_the_others(app, as_user, tmp_path):
    from web.extensions import db

    stuck, other = _start_cases(as_user, 2)
    watchdog = timer_watchdog.Watchdog(tmp_path / "timer-step.inflight", limit=30)
    watchdog.marker.write_text(str(stuck))  # what the ended run left behind
    timer_watchdog.install(watchdog)
    try:
        with app.app_context():
            report = timers.tick(db.session, AFTER_FIRST, batch=10)
            db.session.expire_all()
            retired = db.session.get(Instance, stuck)
            assert retired.status == "error" and "强制中止" in retired.error
            assert db.session.query(AuditEvent).filter_by(instance_id=stuck, type="incident").count() == 1
            assert db.session.get(Instance, other).status == "running" and report.fired == 1
    finally:
        timer_watchdog.install(None)
    assert watchdog.leftover() is None


def test_a_batch_failing_on_the_database_keeps_the_stuck_case_incident_and_never_fires_it_again(
        app, as_user, tmp_path, monkeypatch):
    from sqlalchemy.exc import OperationalError

    from web.extensions import db

    stuck, other = _start_cases(as_user, 2)
    watchdog = timer_watchdog.Watchdog(tmp_path / "timer-step.inflight", limit=30)
    watchdog.marker.write_text(str(stuck))
    real_apply = timers.apply_due_timers
    calls = {"n": 0}

    def database_gone_once(session, instance):  # noqa: ANN001, ANN202
        calls["n"] += 1
        if calls["n"] == 1:
            raise OperationalError("UPDATE instances", {}, Exception("server closed the connection unexpectedly"))
        return real_apply(session, instance)

    monkeypatch.setattr(timers, "apply_due_timers", database_gone_once)
    timer_watchdog.install(watchdog)
    try:
        with app.app_context():
            try:
                timers.tick(db.session, AFTER_FIRST, batch=10)
            except OperationalError:
                pass  # the worker logs it and retries after a wait
            report = timers.tick(db.session, AFTER_FIRST, batch=10)
            db.session.expire_all()
            retired = db.session.get(Instance, stuck)
            assert retired.status == "error" and "强制中止" in retired.error
            assert db.session.query(AuditEvent).filter_by(instance_id=stuck, type="incident").count() == 1
            assert db.session.query(AuditEvent).filter_by(instance_id=stuck, type="timer_fired").count() == 0
            assert db.session.get(Instance, other).status == "running" and report.fired == 1
    finally:
        timer_watchdog.install(None)
    assert watchdog.leftover() is None
