"""Small helpers the tests share: find the suite's data files, start a case, find and complete a task."""

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def fixture_path(relative: str) -> Path:
    """A data file or folder the suite ships under tests/fixtures. A missing one fails the test (or the
    module, while collecting): a quiet skip would leave unproven what the file is there to prove."""
    path = FIXTURES / relative
    if not path.exists():
        pytest.fail(f"test data missing: {path} (it belongs in the repository under tests/fixtures)",
                    pytrace=False)
    return path


def start(user, key: str, org: str, data: dict[str, Any], business_key: str | None = None):  # noqa: ANN001
    body: dict[str, Any] = {"org": org, "data": data}
    if business_key:
        body["business_key"] = business_key
    return user.post(f"/api/v1/processes/{key}/instances", json=body)


def open_task(user, instance_id: int, name: str) -> dict[str, Any]:  # noqa: ANN001
    """The open task `name` of the instance as `user` sees it in their task list."""
    response = user.get(f"/api/v1/tasks?instance={instance_id}&per_page=100")
    assert response.status_code == 200, response.get_json()
    tasks = [t for t in response.get_json()["items"] if t["name"] == name]
    assert tasks, f"{user.username} sees no open task {name}: {response.get_json()['items']}"
    return tasks[0]


def complete(user, instance_id: int, name: str, data: dict[str, Any]) -> dict[str, Any]:  # noqa: ANN001
    task = open_task(user, instance_id, name)
    response = user.post(f"/api/v1/tasks/{task['id']}/complete", json={"data": data})
    assert response.status_code == 200, response.get_json()
    return response.get_json()["instance"]


def open_task_names(instance: dict[str, Any]) -> list[str]:
    return sorted(t["name"] for t in instance["open_tasks"])


def try_complete(user, instance_id: int, name: str, data: dict[str, Any]):  # noqa: ANN001, ANN201
    """Submit task `name` and hand back the raw response (for refusals)."""
    task = open_task(user, instance_id, name)
    return user.post(f"/api/v1/tasks/{task['id']}/complete", json={"data": data})


def refused(response, status: int, code: str) -> dict[str, Any]:  # noqa: ANN001
    """Assert a refusal with this status and error code; returns the error body."""
    assert response.status_code == status, response.get_json()
    error = response.get_json()["error"]
    assert error["code"] == code, error
    assert error["message"], error
    return error


def all_at_once(count: int, work: Callable[[int], Any], *, timeout: float = 120) -> list[Any]:
    """Run `work(index)` in `count` threads released together by a barrier, so the calls really race;
    returns what each returned, by index (None where a thread was still running after `timeout` s)."""
    import threading

    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count

    def run(index: int) -> None:
        barrier.wait()
        results[index] = work(index)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    return results


def at_once_in_two_sessions(app, work: Callable[[Any], Any]) -> list[Any]:  # noqa: ANN001
    """Run `work(session)` in two threads, each with its own session, released together by a
    barrier (two timer workers, two clerks); returns what each returned."""
    import threading

    from sqlalchemy.orm import Session

    from web.extensions import db

    results: list[Any] = []
    barrier = threading.Barrier(2)

    def worker() -> None:
        with app.app_context():
            session = Session(db.engine)
            barrier.wait()
            results.append(work(session))
            session.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def said_at_some_minute(expected: str, text: str) -> bool:
    """Whether `text` says `expected` with any time of day in place of its "HH:MM": the suite's
    clock runs on from 10:00, so a page shows whatever minute the step was taken at."""
    pattern = re.escape(expected)
    pattern = re.sub(r"\d\d:\d\d", r"\\d\\d:\\d\\d", pattern)
    return re.search(pattern, text) is not None
