"""Helpers of the fault tests: a gunicorn server on its own PostgreSQL database, clients that survive
dropped connections, fault injection limited to that database, and `cwflow check` as a command.

Everything runs on 127.0.0.1 against the database `cwflow_rel` (or `CWFLOW_REL_DATABASE_URL`): other
engineers' databases on the same server are never touched, and no backend but ours is terminated.
"""

import os
import signal
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bench._server import BIN, ROOT, Client, server_env, worker_pids

REL_DB = "cwflow_rel"


def rel_url() -> str:
    """Our own database on the server the test suite uses."""
    explicit = os.environ.get("CWFLOW_REL_DATABASE_URL")
    if explicit:
        return explicit
    base = os.environ.get("CWFLOW_TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/cwflow_test")
    return base.rsplit("/", 1)[0] + f"/{REL_DB}"


def sql(url: str, statement: str, params: dict | None = None) -> list[tuple]:
    """One statement on its own short-lived connection (never a pooled one the server shares)."""
    import psycopg

    with psycopg.connect(url.replace("postgresql+psycopg", "postgresql"), autocommit=True) as conn:
        cursor = conn.execute(statement, params or {})
        return cursor.fetchall() if cursor.description else []


def terminate_own_backends(url: str) -> int:
    """Drop every connection to our database (PostgreSQL restarted, as the app sees it)."""
    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    rows = sql(admin, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                      "WHERE datname = %(name)s AND pid <> pg_backend_pid()", {"name": name})
    return len(rows)


def cwflow_check(url: str) -> tuple[int, str]:
    """`cwflow check` against our database: (exit status, everything it printed)."""
    done = subprocess.run([str(BIN / "cwflow"), "check"], env=server_env(url), cwd=ROOT, capture_output=True,
                          text=True, timeout=300)
    return done.returncode, (done.stdout + done.stderr).strip()


def assert_consistent(url: str) -> None:
    status, output = cwflow_check(url)
    assert status == 0, f"cwflow check found differences:\n{output}"
    assert output.endswith("0 difference(s)"), output


def kill_one_worker(master_pid: int) -> int:
    pids = worker_pids(master_pid)
    assert pids, "no gunicorn worker to kill"
    os.kill(pids[0], signal.SIGKILL)
    return pids[0]


def wait_for(condition: Callable[[], Any], timeout: float, what: str, interval: float = 0.2) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


@dataclass
class Outcome:
    """What one request got: an HTTP status, or None when the connection broke (result unknown)."""

    what: str
    status: int | None
    body: Any = None
    task_id: str | None = None


@dataclass
class Load:
    """Threads each driving their own cases: start (optional) and complete steps of bench_loop."""

    port: int
    outcomes: list[Outcome] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, outcome: Outcome) -> None:
        with self.lock:
            self.outcomes.append(outcome)

    def call(self, client: Client, what: str, method: str, path: str, body: Any = None,
             task_id: str | None = None) -> Outcome:
        try:
            status, payload = client.call(method, path, body)
        except OSError:
            status, payload = None, None
        outcome = Outcome(what, status, payload, task_id)
        self.record(outcome)
        return outcome

    def statuses(self, what: str | None = None) -> dict[int | None, int]:
        counts: dict[int | None, int] = {}
        for outcome in self.outcomes:
            if what is None or outcome.what == what:
                counts[outcome.status] = counts.get(outcome.status, 0) + 1
        return counts


def open_task_of(client: Client, instance_id: int) -> str | None:
    """The instance's open task as the index says now (after an unknown outcome)."""
    for _ in range(50):
        try:
            status, body = client.call("GET", f"/api/v1/instances/{instance_id}")
        except OSError:
            time.sleep(0.1)
            continue
        if status == 200:
            return body["open_tasks"][0]["id"] if body["open_tasks"] else None
        time.sleep(0.1)
    raise AssertionError(f"instance {instance_id} could not be read")


def drive_loop_cases(load: Load, cases: list[int], steps: int, username: str = "hr_s01") -> None:
    """Complete `steps` steps of each bench_loop case, re-reading the open task after any failure."""
    client = _logged_in(load.port, username)
    for instance_id in cases:
        done = 0
        task_id = open_task_of(client, instance_id)
        attempts = 0
        while done < steps and attempts < steps * 20:
            attempts += 1
            outcome = load.call(client, "complete", "POST", f"/api/v1/tasks/{task_id}/complete",
                                {"data": {"again": True}}, task_id=task_id)
            if outcome.status == 200:
                done += 1
                task_id = outcome.body["instance"]["open_tasks"][0]["id"]
            else:
                time.sleep(0.05)
                task_id = open_task_of(client, instance_id)


def _logged_in(port: int, username: str) -> Client:
    for _ in range(50):
        try:
            return Client(port, timeout=30).login(username)
        except (OSError, AssertionError):
            time.sleep(0.2)
    raise AssertionError(f"{username} could not log in")


def start_loop_cases(port: int, count: int, prefix: str) -> list[int]:
    client = Client(port).login("hr_s01")
    ids = []
    for n in range(count):
        status, case = client.call("POST", "/api/v1/processes/bench_loop/instances", {
            "org": "S01C01", "business_key": f"{prefix}-{n}", "data": {"subject": "故障测试", "n": n}})
        assert status == 201, case
        ids.append(case["id"])
    return ids


def run_threads(targets: list[Callable[[], None]], timeout: float = 300) -> None:
    errors: list[BaseException] = []

    def wrap(target: Callable[[], None]) -> Callable[[], None]:
        def run() -> None:
            try:
                target()
            except BaseException as exc:  # noqa: BLE001 - reported below
                errors.append(exc)
        return run

    threads = [threading.Thread(target=wrap(t), daemon=True) for t in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
        assert not thread.is_alive(), "a load thread did not finish in time"
    if errors:
        raise errors[0]


def loop_case_ledger(url: str, instance_ids: list[int]) -> dict[int, dict[str, Any]]:
    """Per case, from the database: completed rows, open rows, audit completions, lock version."""
    rows = sql(url, """
        SELECT i.id, i.status, i.lock_version,
               (SELECT count(*) FROM tasks t WHERE t.instance_id = i.id AND t.status = 'completed'),
               (SELECT count(*) FROM tasks t WHERE t.instance_id = i.id AND t.status = 'open'),
               (SELECT count(*) FROM audit_events a WHERE a.instance_id = i.id AND a.type = 'task_completed'),
               (SELECT count(DISTINCT a.task_id) FROM audit_events a
                 WHERE a.instance_id = i.id AND a.type = 'task_completed')
        FROM instances i WHERE i.id = ANY(%(ids)s)""", {"ids": instance_ids})
    return {r[0]: {"status": r[1], "lock_version": r[2], "completed_rows": r[3], "open_rows": r[4],
                   "audit_completions": r[5], "audit_distinct_tasks": r[6]} for r in rows}


def assert_all_or_nothing(url: str, load: Load, instance_ids: list[int]) -> None:
    """Every answered completion is in the database; nothing is half-written, lost or duplicated."""
    ledger = loop_case_ledger(url, instance_ids)
    assert set(ledger) == set(instance_ids)
    offsets = {case["lock_version"] - case["completed_rows"] for case in ledger.values()}
    assert len(offsets) == 1, f"a save without its completion, or the reverse: {ledger}"  # one bump per step
    for instance_id, case in ledger.items():
        assert case["status"] == "running", (instance_id, case)
        assert case["open_rows"] == 1, (instance_id, case)
        assert case["completed_rows"] == case["audit_completions"] == case["audit_distinct_tasks"], (instance_id, case)
    confirmed = {o.task_id for o in load.outcomes if o.what == "complete" and o.status == 200}
    completed = {r[0] for r in sql(url, "SELECT id FROM tasks WHERE status = 'completed' AND instance_id = ANY(%(ids)s)",
                                   {"ids": instance_ids})}
    assert confirmed <= completed, f"answered 200 but not committed: {sorted(confirmed - completed)[:5]}"
