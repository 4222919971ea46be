"""S6 through the API: what only shows at run time is stopped cleanly — a 422 `process_error` with a
clear message, and nothing saved (no instance, no task, no audit event; a completion leaves the task
open and the instance as it was). Compile-time refusals are tested in tests/engine; here the same
site diagrams are deployed with `engine.workflow.definitions.deploy` and driven through the REST API.

The engine's own work on computed values is capped too: a start or a completion whose data asks a
multi-instance task for 100,000 instances, or a timer for 5,000 years, is refused at once the same way.
"""

import subprocess
import sys
import textwrap
import time

import pytest
from sqlalchemy import func, select

from engine.models import AuditEvent, Instance, TaskRow
from engine.workflow import definitions
from engine.workflow.definitions import Upload
from tests.engine.test_runtime_caps import caps_diagram, loop_body, timer_body
from tests.engine.test_validation import site_diagram
from web.extensions import db

HUGE = ["10**10**10", "'x' * 10**10", "[1] * 10**9", "1 << 10**8"]
SCRIPT_ONLY = ["def f(n):\n    return f(n + 1)\nf(0)", "x = {}\nfor i in range(10**7):\n    x[i] = 'y' * 100"]
STARTING_SITES = ["script task", "gateway condition", "timer expression", "loopCardinality", "DMN cell"]
CASES = ([(site, payload) for site in STARTING_SITES for payload in HUGE]
         + [("script task", payload) for payload in SCRIPT_ONLY]
         + [("script task", "while True:\n    pass"), ("gateway condition", "len([i for i in range(10**6) "
                                                                            "for j in range(10**6)])")])


@pytest.fixture
def deploy_bpmn(app):  # noqa: ANN001
    """Deploy a diagram of process `sites` inside the test's transaction."""

    def deploy(bpmn: bytes, dmn: list[bytes] | None = None) -> None:
        # Definition ids come back after the test's rollback on SQLite: forget versions cached by id.
        definitions._VERSIONS.clear()
        with app.app_context():
            definitions.deploy(db.session, Upload(bpmn, tuple(dmn or ()), {}, source="sites.bpmn"), actor="test")

    return deploy


@pytest.fixture
def deploy_sites(deploy_bpmn, without_static_check):  # noqa: ANN001
    """Deploy one site diagram (tests/engine/test_validation.py) as process `sites`, as if stored before
    the upload check refused constant huge values: the run-time guards must stop them."""

    def deploy(site: str, payload: str) -> None:
        deploy_bpmn(*site_diagram(site, payload))

    return deploy


def _nothing_saved(app) -> None:  # noqa: ANN001
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Instance).where(Instance.key == "sites")) == 0
        assert db.session.scalar(select(func.count()).select_from(TaskRow).where(TaskRow.process_key == "sites")) == 0
        assert db.session.scalar(select(func.count()).select_from(AuditEvent)
                                 .where(AuditEvent.type == "instance_started")) == 0


def _assert_clean_refusal(response) -> None:  # noqa: ANN001
    assert response.status_code == 422, response.get_json()
    error = response.get_json()["error"]
    assert error["code"] == "process_error"
    assert error["message"].startswith("流程执行出错") and len(error["message"]) < 500
    assert "Traceback" not in error["message"]


@pytest.mark.parametrize(("site", "payload"), CASES)
def test_a_run_time_escape_at_start_is_a_clean_422_and_saves_nothing(app, as_user, deploy_sites, site, payload):
    deploy_sites(site, payload)
    response = as_user("hr_s01").post("/api/v1/processes/sites/instances",
                                      json={"org": "S01C01", "data": {"degree": "本科"}})
    _assert_clean_refusal(response)
    _nothing_saved(app)


@pytest.mark.parametrize("site", ["preScript", "postScript"])
@pytest.mark.parametrize("payload", ["10**10**10", "'x' * 10**10", "while True:\n    pass"])
def test_a_run_time_escape_in_a_pre_or_post_script_refuses_the_completion_and_keeps_the_task(
        app, as_user, deploy_sites, site, payload):
    if payload.startswith("while") and site == "postScript":
        pytest.skip("one endless loop per kind of site keeps the suite fast (the deadline is per step)")
    deploy_sites(site, payload)
    hr = as_user("hr_s01")
    started = hr.post("/api/v1/processes/sites/instances", json={"org": "S01C01", "data": {"degree": "本科"}})
    if started.status_code == 422:  # a pre-script may already run when the task becomes ready
        _assert_clean_refusal(started)
        _nothing_saved(app)
        return
    assert started.status_code == 201, started.get_json()
    case = started.get_json()
    task_id = case["open_tasks"][0]["id"]
    with app.app_context():
        before = db.session.get(Instance, case["id"]).lock_version
    _assert_clean_refusal(hr.post(f"/api/v1/tasks/{task_id}/complete", json={"data": {}}))
    after = hr.get(f"/api/v1/instances/{case['id']}").get_json()
    assert after["status"] == "running" and [t["id"] for t in after["open_tasks"]] == [task_id]
    with app.app_context():
        assert db.session.get(Instance, case["id"]).lock_version == before
        assert db.session.scalar(select(func.count()).select_from(AuditEvent)
                                 .where(AuditEvent.type == "task_completed", AuditEvent.task_id == task_id)) == 0


# ---- the engine's own work on computed values: capped, refused at once ------------------------------

HUGE_LOOP = loop_body(cardinality="n")
HUGE_COLLECTION = loop_body(collection="items")
TIMER_YEARS = timer_body("timeDuration", '"P" + str(n) + "Y"')


@pytest.mark.parametrize(("body", "data", "says"), [
    (HUGE_LOOP, {"n": 100_000}, "多实例任务 'target' 要求创建 100000 个实例"),
    (HUGE_COLLECTION, {"items": list(range(100_000))}, "多实例任务 'target' 要求创建 100000 个实例"),
    (TIMER_YEARS, {"n": 5_000}, "定时器 'target'"),
], ids=["cardinality", "collection", "timer"])
def test_a_start_asking_for_100000_instances_or_5000_years_is_a_quick_clean_422_and_saves_nothing(
        app, as_user, deploy_bpmn, body, data, says):
    deploy_bpmn(caps_diagram(body))
    hr = as_user("hr_s01")
    began = time.monotonic()
    response = hr.post("/api/v1/processes/sites/instances", json={"org": "S01C01", "data": {"degree": "本科", **data}})
    assert time.monotonic() - began < 5
    _assert_clean_refusal(response)
    assert says in response.get_json()["error"]["message"]
    _nothing_saved(app)


REVIEW_FIRST = ('<bpmn:task id="review"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing>'
                '</bpmn:task><bpmn:sequenceFlow id="f3" sourceRef="review" targetRef="target" />')


@pytest.mark.parametrize(("body", "data"), [(HUGE_LOOP, {"n": 100_000}), (TIMER_YEARS, {"n": 5_000})],
                         ids=["cardinality", "timer"])
def test_a_completion_reaching_a_huge_loop_or_timer_is_refused_and_leaves_the_case_as_it_was(
        app, as_user, deploy_bpmn, body, data):
    after_review = body.replace("<bpmn:incoming>f1</bpmn:incoming>", "<bpmn:incoming>f3</bpmn:incoming>", 1)
    deploy_bpmn(caps_diagram(REVIEW_FIRST + after_review, nodes=("review", "target")))
    hr = as_user("hr_s01")
    started = hr.post("/api/v1/processes/sites/instances", json={"org": "S01C01", "data": {"degree": "本科", **data}})
    assert started.status_code == 201, started.get_json()
    case = started.get_json()
    [task] = case["open_tasks"]
    with app.app_context():
        before = db.session.get(Instance, case["id"]).lock_version
    began = time.monotonic()
    refused = hr.post(f"/api/v1/tasks/{task['id']}/complete", json={"data": {}})
    assert time.monotonic() - began < 5
    _assert_clean_refusal(refused)
    assert "'target'" in refused.get_json()["error"]["message"]
    after = hr.get(f"/api/v1/instances/{case['id']}").get_json()
    assert after["status"] == "running" and [t["id"] for t in after["open_tasks"]] == [task["id"]]
    with app.app_context():
        assert db.session.get(Instance, case["id"]).lock_version == before
        assert db.session.scalar(select(func.count()).select_from(AuditEvent)
                                 .where(AuditEvent.type == "task_completed", AuditEvent.task_id == task["id"])) == 0


# ---- the same in the runtime's step alone, in a child bounded in time and memory ----------------------

_STEP = textwrap.dedent("""
    import resource, sys, time
    resource.setrlimit(resource.RLIMIT_AS, (1_000_000_000, 1_000_000_000))
    sys.path.insert(0, ".")
    from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
    from engine.core.errors import EngineFailure
    from engine.bpmn.parsing import build_specs
    from engine.process.kernel import advance
    from engine.bpmn.scripting import make_script_engine
    from tests.engine.test_validation import site_diagram
    definition = build_specs(*site_diagram(sys.argv[1], sys.argv[2]), source="sites.bpmn")
    workflow = BpmnWorkflow(definition.spec, definition.subprocess_specs, script_engine=make_script_engine())
    workflow.get_tasks()[0].data.update({"n": int(sys.argv[3])})
    began = time.monotonic()
    try:
        advance(workflow)
        advance(workflow, workflow.refresh_timers)
    except EngineFailure as exc:
        print("refused", round(time.monotonic() - began, 1), exc.message[:200])
    else:
        print("accepted", round(time.monotonic() - began, 1), len(workflow.tasks))
""")


def _one_step_in_a_child(site: str, payload: str, n: int, timeout: float) -> str:
    """The runtime's step (`engine.process.kernel.advance`) in a child process bounded in time and memory."""
    try:
        done = subprocess.run([sys.executable, "-c", _STEP, site, payload, str(n)], capture_output=True, text=True,
                              timeout=timeout, cwd=str(__import__("pathlib").Path(__file__).parents[2]))
    except subprocess.TimeoutExpired:
        return f"still running after {timeout} s"
    return done.stdout.strip() or done.stderr.strip()[-300:]


def test_a_huge_computed_loop_cardinality_is_refused_quickly():
    outcome = _one_step_in_a_child("loopCardinality", "n", 100_000, timeout=12)
    assert outcome.startswith("refused"), outcome
    assert "100000" in outcome and float(outcome.split()[1]) < 1, outcome


@pytest.mark.parametrize("years", [5_000, 100_000])
def test_a_computed_timer_duration_over_a_hundred_years_is_refused(years):
    outcome = _one_step_in_a_child("timer expression", '"P" + str(n) + "Y"', years, timeout=12)
    assert outcome.startswith("refused"), outcome
    assert "持续时间超过 100 年" in outcome and float(outcome.split()[1]) < 1, outcome
