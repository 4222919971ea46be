"""The secondment diagram (借调审批) as a file and on the raw engine: forms, lanes, layout, loops.

The paths through the API are in test_secondment_api.py; here the diagram itself is held to the
conventions of workflows/README.md and its capped extension loop is run without a database.
"""

import datetime as dt
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator
from lxml import etree
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine, TaskDataEnvironment
from SpiffWorkflow.util.task import TaskState

from config.policy import DEFAULTS
from config.roles import ROLES_BY_KEY
from engine.core import clock
from tests.processes import diagram_checks as checks

ROOT = Path(__file__).resolve().parents[2]
DIAGRAM = ROOT / "workflows" / "secondment.bpmn"
FORMS = ROOT / "forms"
ZH = {key: role.name_zh for key, role in ROLES_BY_KEY.items()}
USER_TASKS = {
    "community_opinion": ("community_secretary", "secondment_community_opinion.json"),
    "street_review": ("street_leader", "secondment_street_review.json"),
    "swd_approval": ("social_work_dept", "secondment_swd_approval.json"),
    "org_approval": ("district_org_dept", "secondment_org_approval.json"),
    "civil_approval": ("district_civil_affairs", "secondment_civil_approval.json"),
    "secondment_period": ("street_hr", "secondment_period.json"),
    "confirm_return": ("street_hr", "secondment_return.json"),
}
APPROVAL_FORMS = [form for _, form in USER_TASKS.values() if "approval" in form or "review" in form
                  or "opinion" in form]
FORM_FILES = ["secondment_start.json", *sorted({form for _, form in USER_TASKS.values()})]


@pytest.fixture(scope="module")
def tree():
    return etree.parse(str(DIAGRAM))


@pytest.fixture(scope="module")
def specs():
    return checks.parse_specs(DIAGRAM, "secondment")


def test_process_lanes_are_the_roles_of_the_approval_chain(tree):
    process = tree.getroot().find("bpmn:process", checks.NS)
    assert (process.get("id"), process.get("name"), process.get("isExecutable")) == ("secondment", "借调审批", "true")
    lanes = [lane.get("name") for lane in process.findall("bpmn:laneSet/bpmn:lane", checks.NS)]
    assert lanes == [ZH[r] for r in ("street_hr", "community_secretary", "street_leader", "social_work_dept",
                                     "district_org_dept", "district_civil_affairs")]
    checks.check_lanes(tree)


@pytest.mark.parametrize("name", FORM_FILES)
def test_form_is_a_draft_2020_12_object_schema_in_chinese(name):
    checks.check_form(name)


def test_start_form_has_the_start_data_of_the_api_contract():
    form = checks.load_form("secondment_start.json")
    assert set(form["properties"]) == {"worker_id", "borrowing_unit", "borrowing_unit_level", "reason",
                                       "start_date", "end_date"}
    levels = {option["const"] for option in form["properties"]["borrowing_unit_level"]["oneOf"]}
    assert levels == {"community", "street", "district", "city", "province"}


@pytest.mark.parametrize("name", APPROVAL_FORMS)
def test_approval_form_requires_a_comment_when_rejecting(name):
    validator = Draft202012Validator(checks.load_form(name))
    assert validator.is_valid({"decision": "approve"})
    assert not validator.is_valid({"decision": "reject"})
    assert not validator.is_valid({"decision": "reject", "comment": "  "})
    assert validator.is_valid({"decision": "reject", "comment": "人手不足"})
    assert not validator.is_valid({"decision": "return", "comment": "x"})


def test_period_form_asks_for_what_each_choice_needs():
    validator = Draft202012Validator(checks.load_form("secondment_period.json"), format_checker=Draft202012Validator.FORMAT_CHECKER)
    assert not validator.is_valid({"decision": "extend", "new_end_date": "2026-06-01"})
    assert validator.is_valid({"decision": "extend", "new_end_date": "2026-06-01", "extension_reason": "迎检"})
    assert not validator.is_valid({"decision": "return_early"})
    assert validator.is_valid({"decision": "return_early", "returned_on": "2026-04-01"})
    assert not validator.is_valid({"decision": "return_early", "returned_on": "2026-02-30"})


def test_every_user_task_has_its_role_lane_and_an_existing_form(specs):
    checks.check_user_tasks(specs, USER_TASKS)


def test_steps_after_the_worker_may_have_left_cannot_be_sent_back(specs):
    """退回 replays the steps it goes back over: never across the status change (借调开始)."""
    returns = {ts.bpmn_id: ts.extensions["properties"].get("returnTargets")
               for ts in checks.all_task_specs(specs) if type(ts).__name__ == "UserTask"}
    assert returns == {"community_opinion": None, "street_review": "", "swd_approval": "street_review",
                       "org_approval": "street_review", "civil_approval": "street_review",
                       "secondment_period": "", "confirm_return": ""}


def test_gateways_and_expressions(specs, tree):
    checks.check_gateways(specs)
    assert checks.check_expressions(tree) == 30


def test_layout_is_complete_and_readable(tree):
    checks.check_all_layout(tree, "secondment", min_labels=33)


# --- the raw engine ---------------------------------------------------------------------------


class Run:
    """One secondment on the raw engine, with helpers that record what the diagram asks for."""

    def __init__(self, specs, variant: str = "social_work_dept") -> None:
        self.statuses: list[tuple[int, str]] = []
        self.outcomes: list[str] = []
        env = {"policy": DEFAULTS.__getitem__, "today": lambda: "2026-03-02",
               "add_days": lambda d, n: (dt.date.fromisoformat(d) + dt.timedelta(days=n)).isoformat(),
               "set_worker_status": lambda w, s, *guard: self.statuses.append((w, s)), "set_outcome": self.outcomes.append,
               "notify": lambda role, message: None}
        self.workflow = BpmnWorkflow(*specs, script_engine=PythonScriptEngine(environment=TaskDataEnvironment(env)))
        self.workflow.get_tasks(state=TaskState.READY)[0].data.update({
            "worker_id": 7, "start_date": "2026-03-02", "end_date": "2026-03-31", "approval_variant": variant})
        self.workflow.do_engine_steps()

    def open(self) -> list[str]:
        return sorted(t.task_spec.bpmn_id for t in self.workflow.get_tasks(state=TaskState.READY, manual=True))

    def complete(self, bpmn_id: str, data: dict) -> None:
        (task,) = [t for t in self.workflow.get_tasks(state=TaskState.READY, manual=True) if t.task_spec.bpmn_id == bpmn_id]
        task.data[USER_TASKS[bpmn_id][1].removesuffix(".json")] = data
        task.run()
        self.workflow.do_engine_steps()


@pytest.fixture(autouse=True)
def frozen():
    """SpiffWorkflow's timers read the engine clock: 2 March 2026, inside the requested period."""
    with clock.frozen(dt.datetime(2026, 3, 2, 10, 0)):
        yield


def test_both_ordos_departments_are_asked_at_once_and_the_join_fires_once(specs):
    run = Run(specs, variant="ordos")
    run.complete("community_opinion", {"decision": "approve"})
    run.complete("street_review", {"decision": "approve"})
    assert run.open() == ["civil_approval", "org_approval"]
    run.complete("org_approval", {"decision": "approve"})
    assert run.open() == ["civil_approval"]
    run.complete("civil_approval", {"decision": "approve"})
    assert run.open() == ["secondment_period"]  # approved on the start date itself: seconded at once
    assert run.statuses == [(7, "seconded")]


def test_extension_loop_is_capped_in_the_diagram_too(specs):
    run = Run(specs)
    for step in ("community_opinion", "street_review", "swd_approval"):
        run.complete(step, {"decision": "approve"})
    for _ in range(3):
        run.complete("secondment_period", {"decision": "extend", "new_end_date": "2026-04-30"})
        run.complete("street_review", {"decision": "reject", "comment": "不同意"})
    assert run.open() == ["secondment_period"]
    run.complete("secondment_period", {"decision": "extend", "new_end_date": "2026-04-30"})
    assert run.workflow.is_completed()  # past the cap the default (return) is taken; the API refuses first
    assert run.statuses == [(7, "seconded"), (7, "active")]
