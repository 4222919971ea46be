"""The dismissal diagram (辞退审批) as a file and on the raw engine: forms, lanes, layout, paths.

The paths through the API are in test_dismissal_api.py; here the diagram itself is held to the
conventions of workflows/README.md and its decision stage is run without a database.
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
from tests.processes import diagram_checks as checks

ROOT = Path(__file__).resolve().parents[2]
DIAGRAM = ROOT / "workflows" / "dismissal.bpmn"
FORMS = ROOT / "forms"
ZH = {key: role.name_zh for key, role in ROLES_BY_KEY.items()}
USER_TASKS = {
    "community_opinion": ("community_secretary", "dismissal_community_opinion.json"),
    "hr_check": ("street_hr", "dismissal_hr_check.json"),
    "legal_review": ("district_hrss", "dismissal_legal_review.json"),
    "street_decision": ("street_leader", "dismissal_street_decision.json"),
    "district_review": ("district_civil_affairs", "dismissal_district_review.json"),
    "notice": ("street_hr", "dismissal_notice.json"),
    "appeal_registration": ("street_hr", "dismissal_appeal.json"),
    "appeal_review_street": ("street_leader", "dismissal_appeal_decision.json"),
    "appeal_review_district": ("district_civil_affairs", "dismissal_appeal_decision.json"),
    "handover": ("street_hr", "dismissal_handover.json"),
    "exit_audit": ("street_hr", "dismissal_exit_audit.json"),
}
FORM_FILES = ["dismissal_start.json", *sorted({form for _, form in USER_TASKS.values()})]
GROUNDS = {"probation_failed", "assessment_failed_twice", "serious_breach", "dereliction", "agreement_breach",
           "incompetent", "criminal_liability", "absence"}


@pytest.fixture(scope="module")
def tree():
    return etree.parse(str(DIAGRAM))


@pytest.fixture(scope="module")
def specs():
    return checks.parse_specs(DIAGRAM, "dismissal")


def test_process_lanes_are_the_roles_of_the_decision_chain(tree):
    process = tree.getroot().find("bpmn:process", checks.NS)
    assert (process.get("id"), process.get("name"), process.get("isExecutable")) == ("dismissal", "辞退审批", "true")
    lanes = [lane.get("name") for lane in process.findall("bpmn:laneSet/bpmn:lane", checks.NS)]
    assert lanes == [ZH[r] for r in ("street_hr", "community_secretary", "district_hrss", "street_leader",
                                     "district_civil_affairs")]
    checks.check_lanes(tree)


@pytest.mark.parametrize("name", FORM_FILES)
def test_form_is_a_draft_2020_12_object_schema_in_chinese(name):
    checks.check_form(name)


def test_start_form_has_the_start_data_and_ground_codes_of_the_api_contract():
    form = checks.load_form("dismissal_start.json")
    assert set(form["properties"]) == {"worker_id", "grounds", "facts"}
    assert {o["const"] for o in form["properties"]["grounds"]["items"]["oneOf"]} == GROUNDS
    validator = Draft202012Validator(form)
    assert validator.is_valid({"worker_id": 1, "grounds": ["absence", "dereliction"], "facts": "多次旷工"})
    assert not validator.is_valid({"worker_id": 1, "grounds": [], "facts": "多次旷工"})
    assert not validator.is_valid({"worker_id": 1, "grounds": ["absence", "absence"], "facts": "多次旷工"})
    assert not validator.is_valid({"worker_id": 1, "grounds": ["lazy"], "facts": "多次旷工"})


def test_hr_check_needs_evidence_to_proceed_and_a_reason_to_stop():
    validator = Draft202012Validator(checks.load_form("dismissal_hr_check.json"))
    evidence = [{"ground": "absence", "description": "考勤记录"}]
    assert validator.is_valid({"decision": "approve", "protections": ["none"], "evidence": evidence})
    assert not validator.is_valid({"decision": "approve", "protections": ["none"], "evidence": []})
    assert not validator.is_valid({"decision": "approve", "evidence": evidence})
    assert not validator.is_valid({"decision": "approve", "protections": [], "evidence": evidence})  # 「无」 is said
    assert not validator.is_valid({"decision": "reject", "protections": ["none"]})
    assert validator.is_valid({"decision": "reject", "protections": ["medical_period"], "comment": "医疗期内"})


def test_appeal_decision_always_gives_reasons():
    validator = Draft202012Validator(checks.load_form("dismissal_appeal_decision.json"))
    assert not validator.is_valid({"decision": "approve"})
    assert validator.is_valid({"decision": "reject", "comment": "维持"})


def test_every_user_task_has_its_role_lane_and_an_existing_form(specs):
    checks.check_user_tasks(specs, USER_TASKS)


def test_gateways_and_expressions(specs, tree):
    checks.check_gateways(specs)
    assert checks.check_expressions(tree) == 18


def test_layout_is_complete_and_readable(tree):
    checks.check_all_layout(tree, "dismissal", min_labels=39)


# --- the raw engine ---------------------------------------------------------------------------


class Run:
    def __init__(self, specs) -> None:
        self.statuses: list[tuple[int, str]] = []
        self.outcomes: list[str] = []
        env = {"policy": DEFAULTS.__getitem__, "len": len,
               "add_days": lambda d, n: (dt.date.fromisoformat(d) + dt.timedelta(days=n)).isoformat(),
               "set_worker_status": lambda w, s, *guard: self.statuses.append((w, s)), "set_outcome": self.outcomes.append}
        self.workflow = BpmnWorkflow(*specs, script_engine=PythonScriptEngine(environment=TaskDataEnvironment(env)))
        self.workflow.get_tasks(state=TaskState.READY)[0].data.update({"worker_id": 7, "grounds": ["serious_breach"]})
        self.workflow.do_engine_steps()

    def open(self) -> list[str]:
        return sorted(t.task_spec.bpmn_id for t in self.workflow.get_tasks(state=TaskState.READY, manual=True))

    def complete(self, bpmn_id: str, data: dict) -> None:
        (task,) = [t for t in self.workflow.get_tasks(state=TaskState.READY, manual=True) if t.task_spec.bpmn_id == bpmn_id]
        task.data[USER_TASKS[bpmn_id][1].removesuffix(".json")] = data
        task.run()
        self.workflow.do_engine_steps()


@pytest.mark.parametrize("refusing", ["hr_check", "legal_review", "street_decision", "district_review"])
def test_a_no_anywhere_in_the_decision_stage_ends_as_rejected(specs, refusing):
    run = Run(specs)
    run.complete("community_opinion", {"decision": "approve"})
    answers = [("hr_check", {"protections": ["medical_period"]}), ("legal_review", {}), ("street_decision", {}),
               ("district_review", {})]
    for name, extra in answers:
        run.complete(name, {"decision": "reject" if name == refusing else "approve", **extra})
        if name == refusing:
            break
    assert run.workflow.is_completed() and run.outcomes == ["rejected"] and run.statuses == []


def test_without_protections_the_legal_review_is_skipped(specs):
    run = Run(specs)
    run.complete("community_opinion", {"decision": "reject"})  # an opinion, not a veto
    run.complete("hr_check", {"decision": "approve", "protections": ["none"]})
    assert run.open() == ["street_decision"]
