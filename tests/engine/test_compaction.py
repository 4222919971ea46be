"""A long-lived case keeps a small task tree (the long-instance benchmark in bench/RESULTS.md): after 200 passes of a loop its
saved state is as small as after a few dozen, a return to an earlier pass still works, and a short
case is never compacted."""

import json

import pytest

from engine.bpmn.compaction import compact, task_count
from tests.conftest import ROOT
from tests.helpers import open_task, start
from tests.operations.ops_support import deploy, task_post

FIXTURES = ROOT / "bench" / "fixtures"
AGAIN = {"again": True}


@pytest.fixture
def bench_loop(app):  # noqa: ANN001, ANN201
    deploy(app, (FIXTURES / "bench_loop.bpmn").read_bytes(),
           {name: json.loads((FIXTURES / name).read_text(encoding="utf-8"))
            for name in ("bench_loop_start.json", "bench_loop_step.json")})


def _passes(hr, case_id: int, count: int) -> dict:  # noqa: ANN001
    for _ in range(count):
        task = open_task(hr, case_id, "step")
        response = task_post(hr, task, "complete", {"data": AGAIN})
        assert response.status_code == 200, response.get_json()
    return open_task(hr, case_id, "step")


def _saved(app, case_id: int):  # noqa: ANN001, ANN202
    from engine.models import Instance
    from engine.process.kernel import load
    from web.extensions import db

    with app.app_context():
        instance = db.session.get(Instance, case_id)
        return len(instance.state), load(db.session, instance).workflow


def test_two_hundred_passes_keep_the_state_as_small_as_a_few_dozen(app, as_user, bench_loop):  # noqa: ANN001
    hr = as_user("hr_s01")
    case = start(hr, "bench_loop", "S01C01", {"subject": "长流程"}).get_json()
    _passes(hr, case["id"], 40)
    size_at_40, _ = _saved(app, case["id"])
    _passes(hr, case["id"], 160)
    size_at_200, workflow = _saved(app, case["id"])
    assert task_count(workflow) <= 80 + 3  # the default threshold, plus the pass that crossed it
    assert size_at_200 <= size_at_40 * 1.5
    assert workflow.get_tasks()[-1].depth < 150  # far from the library's 1,000-level walk limit


def test_a_return_after_two_hundred_passes_goes_back_to_the_start(app, as_user, bench_loop):  # noqa: ANN001
    """Compaction keeps what a return needs: after 200 passes the case goes back to its initiator and
    runs to its end. The looping step is never offered as a target of itself."""
    hr = as_user("hr_s01")
    case = start(hr, "bench_loop", "S01C01", {"subject": "长流程"}).get_json()
    task = _passes(hr, case["id"], 200)
    targets = hr.get(f"/api/v1/tasks/{task['id']}/return-targets").get_json()
    assert [t["id"] for t in targets["items"]] == ["initiator"]
    response = task_post(hr, task, "return", {"target": "initiator", "reason": "主题需补正"})
    assert response.status_code == 200, response.get_json()
    resubmit = response.get_json()["open_tasks"][0]
    assert resubmit["role"] == "initiator"
    again = task_post(hr, resubmit, "complete", {"data": {"subject": "长流程（补正）"}})
    assert again.status_code == 200, again.get_json()
    step = open_task(hr, case["id"], "step")
    done = task_post(hr, step, "complete", {"data": {"again": False}})
    assert done.status_code == 200, done.get_json()
    assert done.get_json()["instance"]["status"] == "completed"


def test_a_short_case_is_never_compacted(app, as_user, bench_loop, monkeypatch):  # noqa: ANN001
    monkeypatch.setenv("CWFLOW_OPS_MAX_RETURNS", '{"*": 1}')  # so that there is history to spare
    monkeypatch.delenv("CWFLOW_COMPACT_ABOVE_TASKS", raising=False)  # the default, even in an aggressive run
    hr = as_user("hr_s01")
    case = start(hr, "bench_loop", "S01C01", {"subject": "短流程"}).get_json()
    _passes(hr, case["id"], 5)
    _, workflow = _saved(app, case["id"])
    size = task_count(workflow)
    assert compact(workflow) == 0 and task_count(workflow) == size
    assert compact(workflow, threshold=0) > 0  # there was something to compact
