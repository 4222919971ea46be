"""The resignation diagram (辞职审批) on the raw engine: forms, lanes, layout, every path, timers.

No database and no web: the diagram is parsed with SpiffBpmnParser and run with plain helper
functions that record what the process asks for, so a broken diagram fails here first.
"""

import datetime as dt
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator
from lxml import etree
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine, TaskDataEnvironment
from SpiffWorkflow.bpmn.specs.event_definitions import timer as timer_module
from SpiffWorkflow.bpmn.util.event import BpmnEvent
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser
from SpiffWorkflow.util.task import TaskState

from config.policy import DEFAULTS
from config.roles import ROLES_BY_KEY, role_for_lane
from tests.processes import diagram_checks as checks
from tests.processes.diagram_checks import all_task_specs, bounds, inside, on_border, overlap

ROOT = Path(__file__).resolve().parents[2]
DIAGRAM = ROOT / "workflows" / "resignation.bpmn"
FORMS = ROOT / "forms"
NS = checks.NS
CST = dt.timezone(dt.timedelta(hours=8))

HR = ROLES_BY_KEY["street_hr"].name_zh
LEADER = ROLES_BY_KEY["street_leader"].name_zh
DISTRICT = ROLES_BY_KEY["district_civil_affairs"].name_zh

# element id -> (lane, form) of every user task in the diagram
USER_TASKS = {
    "street_review": (HR, "resignation_street_review.json"),
    "street_decision": (LEADER, "resignation_street_decision.json"),
    "district_review": (DISTRICT, "resignation_district_review.json"),
    "handover": (HR, "resignation_handover.json"),
    "exit_audit": (HR, "resignation_exit_audit.json"),
}
# the street cannot refuse a resignation (劳动合同法 art. 37): it confirms, defers or returns;
# only the district's review of an elected member may say no (003 art. 38)
APPROVAL_FORMS = {
    "resignation_street_review.json": {"approve", "defer"},
    "resignation_street_decision.json": {"approve", "defer", "return"},
    "resignation_district_review.json": {"approve", "reject"},
}
LEAVING = {"leaving_on": "2026-04-01"}
FORM_FILES = ["resignation_start.json", *sorted({form for _, form in USER_TASKS.values()})]
HELPERS = {"policy", "add_days", "add_working_days", "today", "set_outcome", "set_worker_status", "notify",
           "standing_bars"}

SUBMITTED_ON = "2026-03-02"
DECISION_DAYS = DEFAULTS["resignation_decision_days"]
REMINDER_DAYS_BEFORE = DEFAULTS["resignation_reminder_days_before"]


def on_day(days: int, hour: int = 10, minute: int = 0) -> dt.datetime:
    """A moment `days` after the application was received, Beijing time."""
    received = dt.date.fromisoformat(SUBMITTED_ON) + dt.timedelta(days=days)
    return dt.datetime(received.year, received.month, received.day, hour, minute, tzinfo=CST)


# --- the diagram and the forms as files -------------------------------------------------------


@pytest.fixture(scope="module")
def tree() -> etree._ElementTree:
    return etree.parse(str(DIAGRAM))


@pytest.fixture(scope="module")
def specs():
    parser = SpiffBpmnParser(validator=VALIDATOR)
    parser.add_bpmn_file(str(DIAGRAM))
    return parser.get_spec("resignation"), parser.get_subprocess_specs("resignation")


def test_process_is_the_executable_resignation_process(tree):
    root = tree.getroot()
    assert root.get("targetNamespace")
    process = root.find("bpmn:process", NS)
    assert (process.get("id"), process.get("name"), process.get("isExecutable")) == (
        "resignation",
        "辞职审批",
        "true",
    )
    participants = root.findall("bpmn:collaboration/bpmn:participant", NS)
    assert [(p.get("name"), p.get("processRef")) for p in participants] == [("辞职审批", "resignation")]
    lanes = [lane.get("name") for lane in process.findall("bpmn:laneSet/bpmn:lane", NS)]
    assert lanes == [HR, LEADER, DISTRICT]
    assert all(role_for_lane(name) is not None for name in lanes)


@pytest.mark.parametrize("name", FORM_FILES)
def test_form_is_a_draft_2020_12_object_schema_in_chinese(name):
    checks.check_form(name)


def test_start_form_has_the_start_data_of_the_api_contract():
    form = checks.load_form("resignation_start.json")
    validator = Draft202012Validator(form, format_checker=Draft202012Validator.FORMAT_CHECKER)
    assert set(form["properties"]) == {"worker_id", "reason", "submitted_on"}
    assert validator.is_valid({"worker_id": 7, "reason": "家庭原因", "submitted_on": SUBMITTED_ON})
    assert not validator.is_valid({"worker_id": 0, "reason": "家庭原因", "submitted_on": SUBMITTED_ON})
    assert not validator.is_valid({"worker_id": 7, "reason": "", "submitted_on": SUBMITTED_ON})
    assert not validator.is_valid({"worker_id": 7, "reason": "x" * 2001, "submitted_on": SUBMITTED_ON})
    assert not validator.is_valid({"worker_id": 7, "reason": "家庭原因", "submitted_on": "2026-02-30"})
    assert not validator.is_valid({"worker_id": 7, "reason": "家庭原因"})


@pytest.mark.parametrize("name", sorted(APPROVAL_FORMS))
def test_approval_form_requires_a_comment_when_not_simply_approving(name):
    form = checks.load_form(name)
    validator = Draft202012Validator(form)
    decisions = {option["const"] for option in form["properties"]["decision"]["oneOf"]}
    assert decisions == APPROVAL_FORMS[name], "reject only for the district, return only where the diagram loops back"
    extra = {"unfinished_business": False} if "unfinished_business" in form["properties"] else {}
    if "leaving_on" in form["properties"]:
        extra = {**extra, **LEAVING}
    assert validator.is_valid({"decision": "approve", **extra})
    for decision in decisions - {"approve"}:
        assert not validator.is_valid({"decision": decision, **extra})
        assert not validator.is_valid({"decision": decision, "comment": "   ", **extra})
        assert validator.is_valid({"decision": decision, "comment": "材料不全", **extra})
    assert not validator.is_valid({"decision": "withdraw", "comment": "x", **extra})
    assert not validator.is_valid({"decision": "approve", "note": "x", **extra})


def test_street_review_asks_what_business_is_unfinished():
    validator = Draft202012Validator(checks.load_form("resignation_street_review.json"))
    assert not validator.is_valid({"decision": "approve"})
    assert not validator.is_valid({"decision": "approve", "unfinished_business": True})
    assert validator.is_valid(
        {"decision": "defer", "unfinished_business": True, "comment": "低保审核未办结"}
    )
    assert not validator.is_valid(
        {"decision": "reject", "unfinished_business": True, "comment": "低保审核未办结"}
    )


def test_handover_and_audit_must_be_confirmed():
    handover = Draft202012Validator(checks.load_form("resignation_handover.json"))
    assert handover.is_valid({"handover_confirmed": True, "handed_over_to": "李四", "audit_required": False})
    assert not handover.is_valid(
        {"handover_confirmed": False, "handed_over_to": "李四", "audit_required": False}
    )
    assert not handover.is_valid({"handover_confirmed": True, "handed_over_to": "", "audit_required": False})
    assert not handover.is_valid({"handover_confirmed": True, "handed_over_to": "李四"})
    audit = Draft202012Validator(checks.load_form("resignation_exit_audit.json"))
    assert audit.is_valid(
        {"audit_finished": True, "report_number": "审字〔2026〕3号", "findings": "未发现问题"}
    )
    assert not audit.is_valid({"audit_finished": False, "report_number": "3", "findings": "未发现问题"})
    assert not audit.is_valid({"audit_finished": True, "findings": "未发现问题"})


# --- lanes, forms and expressions as the engine reads them -----------------------------------


def test_every_user_task_has_its_role_lane_and_an_existing_form(specs):
    user_tasks = {ts.bpmn_id: ts for ts in all_task_specs(specs) if type(ts).__name__ == "UserTask"}
    assert set(user_tasks) == set(USER_TASKS)
    for bpmn_id, (lane, form) in USER_TASKS.items():
        task_spec = user_tasks[bpmn_id]
        assert task_spec.lane == lane, bpmn_id
        assert role_for_lane(task_spec.lane) is not None, bpmn_id
        assert task_spec.extensions["properties"]["formJsonSchemaFilename"] == form
        assert (FORMS / form).is_file()
    for bpmn_id in ("street_review", "street_decision"):
        assert user_tasks[bpmn_id].extensions["properties"]["dueAt"] == "decision_due"


def test_every_flow_node_but_the_subprocess_sits_in_exactly_one_lane(tree):
    process = tree.getroot().find("bpmn:process", NS)
    refs = [ref.text for ref in process.iterfind("bpmn:laneSet/bpmn:lane/bpmn:flowNodeRef", NS)]
    assert len(refs) == len(set(refs))
    flow_nodes = {
        el.get("id")
        for el in process.iter()
        if isinstance(el.tag, str)
        and el.getparent().tag in (f"{{{NS['bpmn']}}}process", f"{{{NS['bpmn']}}}subProcess")
        and etree.QName(el).localname.endswith(("Task", "Event", "Gateway", "subProcess"))
    }
    # SpiffWorkflow gives every node inside a subprocess the subprocess's own lane when it has
    # one, so the subprocess (which spans two lanes) must stay out of every lane.
    assert set(refs) == flow_nodes - {"street_stage"}


def test_a_subprocess_in_a_lane_overrides_the_lanes_inside_it():
    """Why street_stage stays out of the laneSet: the modeler re-adds it when lanes are resized."""
    xml = DIAGRAM.read_bytes().replace(
        b"<bpmn:flowNodeRef>application_received</bpmn:flowNodeRef>",
        b"<bpmn:flowNodeRef>application_received</bpmn:flowNodeRef>"
        b"<bpmn:flowNodeRef>street_stage</bpmn:flowNodeRef>",
    )
    parser = SpiffBpmnParser()
    parser.add_bpmn_xml(etree.fromstring(xml), "resignation.bpmn")
    inner = parser.get_subprocess_specs("resignation")["street_stage"].task_specs
    assert inner["street_decision"].lane == HR  # not the leader any more


def test_every_merge_is_a_gateway_and_every_choice_is_complete(specs):
    for task_spec in all_task_specs(specs):
        if not getattr(task_spec, "bpmn_id", None) or type(task_spec).__name__ == "BoundaryEvent":
            continue
        kind = type(task_spec).__name__
        if len(task_spec.inputs) > 1:
            assert kind == "ExclusiveGateway", f"{task_spec.bpmn_id} merges without a gateway"
        if kind == "ExclusiveGateway" and len(task_spec.outputs) > 1:
            assert task_spec.default_task_spec is not None, task_spec.bpmn_id
            conditions = [cond for cond, _ in task_spec.cond_task_specs if cond is not None]
            assert len(conditions) == len(task_spec.outputs) - 1, task_spec.bpmn_id
        elif kind != "ExclusiveGateway":
            assert len(task_spec.outputs) <= 1 or task_spec.bpmn_id == "street_stage", task_spec.bpmn_id


def test_scripts_and_expressions_are_restricted_python_calling_only_the_helpers(tree):
    # 7 scripts, 8 conditions, 3 timers, 2 due dates; its own HELPERS leave out len()
    assert checks.check_expressions(tree, helpers=HELPERS) == 20


# --- the layout the modeler shows -------------------------------------------------------------


DRAWN = {
    "participant",
    "lane",
    "subProcess",
    "startEvent",
    "endEvent",
    "boundaryEvent",
    "userTask",
    "scriptTask",
    "exclusiveGateway",
    "intermediateCatchEvent",
}


@pytest.fixture(scope="module")
def layout(tree):
    return checks.layout(tree)


def test_every_node_lane_pool_and_flow_has_diagram_interchange(layout):
    root, shapes, edges, elements = layout
    plane = root.find(".//bpmndi:BPMNPlane", NS)
    assert plane.get("bpmnElement") == "resignation_collaboration"
    flows = {fid for fid, el in elements.items() if etree.QName(el).localname == "sequenceFlow"}
    assert set(edges) == flows
    nodes = {nid for nid, el in elements.items() if etree.QName(el).localname in DRAWN}
    assert set(shapes) == nodes
    assert shapes["street_stage"].get("isExpanded") == "true"
    for nid, el in elements.items():
        if etree.QName(el).localname == "exclusiveGateway":
            assert shapes[nid].get("isMarkerVisible") == "true"


def test_shapes_sit_in_their_lanes_and_containers_without_overlapping(layout):
    root, shapes, edges, elements = layout
    pool = bounds(shapes["resignation_pool"])
    lane_of = {}
    for lane in root.iterfind(".//bpmn:lane", NS):
        lane_box = bounds(shapes[lane.get("id")])
        assert inside((lane_box[0], lane_box[1]), pool) and inside(
            (lane_box[0] + lane_box[2], lane_box[1] + lane_box[3]), pool
        )
        for ref in lane.iterfind("bpmn:flowNodeRef", NS):
            lane_of[ref.text] = lane_box
    by_container = {}
    for nid, shape in shapes.items():
        el = elements[nid]
        kind = etree.QName(el).localname
        if kind in ("lane", "participant"):
            continue
        box = bounds(shape)
        mid = (box[0] + box[2] / 2, box[1] + box[3] / 2)
        assert inside(mid, pool)
        if nid in lane_of:
            lane_box = lane_of[nid]
            assert lane_box[1] < mid[1] < lane_box[1] + lane_box[3], f"{nid} is drawn outside its lane"
        if kind == "boundaryEvent":
            host = bounds(shapes[el.get("attachedToRef")])
            assert on_border(mid, host), f"{nid} is not on its host's border"
            continue
        parent = el.getparent()
        if etree.QName(parent).localname == "subProcess":
            assert inside((box[0], box[1]), bounds(shapes[parent.get("id")]))
            assert inside((box[0] + box[2], box[1] + box[3]), bounds(shapes[parent.get("id")]))
        by_container.setdefault(parent.get("id"), []).append((nid, box))
    for members in by_container.values():
        for i, (a, box_a) in enumerate(members):
            for b, box_b in members[i + 1 :]:
                if "street_stage" in (a, b):
                    continue  # the container and the nodes drawn beside it are checked below
                assert not overlap(box_a, box_b), f"{a} overlaps {b}"
    stage = bounds(shapes["street_stage"])
    for nid, box in by_container["resignation"]:
        if nid != "street_stage":
            assert not overlap(box, stage), f"{nid} overlaps the subprocess"


def test_edges_are_orthogonal_and_join_their_source_and_target(layout):
    root, shapes, edges, elements = layout
    for fid, edge in edges.items():
        points = [(float(w.get("x")), float(w.get("y"))) for w in edge.iterfind("di:waypoint", NS)]
        assert len(points) >= 2, fid
        for (x1, y1), (x2, y2) in zip(points, points[1:], strict=False):
            assert x1 == x2 or y1 == y2, f"{fid} has a diagonal segment"
        flow = elements[fid]
        assert on_border(points[0], bounds(shapes[flow.get("sourceRef")])), f"{fid} starts off its source"
        assert on_border(points[-1], bounds(shapes[flow.get("targetRef")])), f"{fid} ends off its target"


def test_labels_do_not_cover_any_node(layout):
    root, shapes, edges, elements = layout
    node_boxes = [
        (nid, bounds(s))
        for nid, s in shapes.items()
        if etree.QName(elements[nid]).localname not in ("lane", "participant", "subProcess")
    ]
    labels = [
        (owner.get("bpmnElement"), bounds(label))
        for owner in [*shapes.values(), *edges.values()]
        for label in owner.iterfind("bpmndi:BPMNLabel", NS)
    ]
    assert len(labels) > 20
    for owner, label_box in labels:
        for nid, box in node_boxes:
            assert not overlap(label_box, box), f"the label of {owner} covers {nid}"
    for i, (a, box_a) in enumerate(labels):
        for b, box_b in labels[i + 1 :]:
            assert not overlap(box_a, box_b), f"the labels of {a} and {b} overlap"


# --- running the process ----------------------------------------------------------------------


class FrozenDatetime(dt.datetime):
    """Stands in for datetime in SpiffWorkflow's timer module, which imports the class itself."""

    current = on_day(0)

    @classmethod
    def now(cls, tz=None):
        return cls.current.astimezone(tz) if tz else cls.current.astimezone().replace(tzinfo=None)


@pytest.fixture
def clock(monkeypatch):
    monkeypatch.setattr(timer_module, "datetime", FrozenDatetime)
    monkeypatch.setattr(FrozenDatetime, "current", on_day(0))

    def set_to(moment: dt.datetime) -> None:
        monkeypatch.setattr(FrozenDatetime, "current", moment)

    return set_to


class Effects:
    """Plain versions of the script helpers of workflows/README.md that record each call."""

    def __init__(self) -> None:
        self.notifications: list[tuple[str, str]] = []
        self.outcomes: list[str] = []
        self.statuses: list[tuple[int, str]] = []
        self.bars: list[str] = []  # what the worker record shows when the diagram asks

    def environment(self) -> dict:
        return {
            "policy": lambda name: DEFAULTS[name],
            "add_days": lambda day, n: (dt.date.fromisoformat(day) + dt.timedelta(days=n)).isoformat(),
            "notify": lambda role, message: self.notifications.append((role, message)),
            "set_outcome": self.outcomes.append,
            "set_worker_status": lambda worker_id, status, *guard: self.statuses.append((worker_id, status)),
            "standing_bars": lambda worker_id: list(self.bars),
        }


class Run:
    """One resignation instance driven through its user tasks."""

    def __init__(self, specs, *, is_elected: bool = False, status: str = "active") -> None:
        spec, subprocess_specs = specs
        self.effects = Effects()
        engine = PythonScriptEngine(environment=TaskDataEnvironment(self.effects.environment()))
        self.workflow = BpmnWorkflow(spec, subprocess_specs, script_engine=engine)
        self.visited: list[str] = []
        start = self.workflow.get_tasks(state=TaskState.READY)[0]
        start.data.update(
            {
                "worker_id": 7,
                "reason": "家庭原因，需照顾老人",
                "submitted_on": SUBMITTED_ON,
                "worker": {
                    "id": 7,
                    "status": status,
                    "org": "S01C01",
                    "flags": {"is_elected": is_elected, "under_audit": False},
                },
            }
        )
        self.workflow.do_engine_steps()

    def open_tasks(self) -> list[str]:
        return sorted(
            t.task_spec.bpmn_id for t in self.workflow.get_tasks(state=TaskState.READY, manual=True)
        )

    def complete(self, bpmn_id: str, data: dict) -> None:
        lane, form = USER_TASKS[bpmn_id]
        ready = [
            t
            for t in self.workflow.get_tasks(state=TaskState.READY, manual=True)
            if t.task_spec.bpmn_id == bpmn_id
        ]
        assert len(ready) == 1, f"{bpmn_id} is not open; open: {self.open_tasks()}"
        task = ready[0]
        assert task.task_spec.lane == lane
        Draft202012Validator(checks.load_form(form)).validate(data)
        task.data[form.removesuffix(".json")] = data
        task.run()
        self.workflow.do_engine_steps()
        self.visited.append(bpmn_id)

    def tick(self, clock, moment: dt.datetime) -> None:
        clock(moment)
        self.workflow.refresh_timers()
        self.workflow.do_engine_steps()

    def catch_bars_cleared(self) -> str:
        """Deliver the message the engine sends when the worker record's flags change."""
        waiting = [t for t in self.workflow.get_tasks(state=TaskState.WAITING)
                   if getattr(t.task_spec, "event_definition", None) is not None
                   and t.task_spec.event_definition.name == "resignation_bars_cleared"]
        definition = waiting[0].task_spec.event_definition
        self.workflow.catch(BpmnEvent(definition, {}))
        self.workflow.do_engine_steps()
        return definition.name

    def street(self, *decisions: str) -> None:
        """The street review and decision, once per decision (return loops back to the review)."""
        for decision in decisions:
            self.complete("street_review", {"decision": "approve", "unfinished_business": False})
            comment = LEAVING if decision == "approve" else {"comment": "请补充交接清单"}
            self.complete("street_decision", {"decision": decision, **comment})

    def handover(self, audit_required: bool) -> None:
        self.complete(
            "handover",
            {"handover_confirmed": True, "handed_over_to": "李四", "audit_required": audit_required},
        )

    @property
    def data(self) -> dict:
        return self.workflow.last_task.data if self.workflow.is_completed() else {}


def leaving_date_over(run: Run, clock) -> None:
    """The leaving date (1 April, the notice's last day) is over: the contract ends."""
    assert not run.workflow.is_completed() and run.effects.statuses == []
    run.tick(clock, on_day(30, 23, 59))
    assert not run.workflow.is_completed() and run.effects.statuses == []
    run.tick(clock, on_day(31, 0, 1))


def assert_approved(run: Run) -> None:
    assert run.workflow.is_completed()
    assert run.effects.outcomes == ["approved"]
    assert run.effects.statuses == [(7, "resigned")]


def assert_rejected(run: Run) -> None:
    assert run.workflow.is_completed()
    assert run.effects.outcomes == ["rejected"]
    assert run.effects.statuses == []


def test_deadlines_are_computed_from_the_day_the_application_was_received(specs, clock):
    run = Run(specs)
    assert run.open_tasks() == ["street_review"]
    task = run.workflow.get_tasks(state=TaskState.READY, manual=True)[0]
    assert task.data["decision_due"] == "2026-04-01"
    assert task.data["reminder_at"] == "2026-03-27"
    assert task.data["return_count"] == 0
    due_at = run.workflow.script_engine.evaluate(task, task.task_spec.extensions["properties"]["dueAt"])
    assert due_at == "2026-04-01"
    pending = [event.value for event in run.workflow.waiting_events()]
    # the reminder five days before the last day; the notice runs out when the last day is over
    assert sorted(pending) == ["2026-03-27T09:00:00+08:00", "2026-04-02T00:00:00+08:00"]


def test_in_probation_the_notice_is_three_days_and_no_reminder_goes_out(specs, clock):
    """Five days before a three-day notice's last day is before the receipt: no reminder at all,
    neither on the day of receipt nor later."""
    run = Run(specs, status="probation")
    task = run.workflow.get_tasks(state=TaskState.READY, manual=True)[0]
    assert task.data["decision_due"] == "2026-03-05" and task.data["send_reminder"] is False
    for day, hour in ((0, 9), (0, 10), (1, 10), (2, 10), (3, 9), (3, 23)):
        run.tick(clock, on_day(day, hour, 1))
    assert run.effects.notifications == []
    run.tick(clock, on_day(4, 0, 1))
    assert run.effects.outcomes == ["notice_effective"] and run.effects.statuses == [(7, "resigned")]
    assert [role for role, _ in run.effects.notifications] == ["street_leader", "district_civil_affairs"]


def test_non_elected_worker_approved_without_audit_resigns(specs, clock):
    run = Run(specs)
    run.street("approve")
    assert run.open_tasks() == ["handover"]
    run.handover(audit_required=False)
    [waiting] = run.workflow.waiting_events()
    assert (waiting.name, waiting.value) == ("待离职日生效", "2026-04-02T00:00:00+08:00")
    leaving_date_over(run, clock)
    assert_approved(run)
    assert run.visited == ["street_review", "street_decision", "handover"]
    assert run.effects.notifications == []


def test_a_leaving_date_already_over_when_the_handover_is_done_ends_the_contract_at_once(specs, clock):
    run = Run(specs)
    clock(on_day(10))
    run.street("approve")
    clock(on_day(35))
    run.handover(audit_required=False)
    assert_approved(run)


def test_approved_resignation_with_exit_audit_resigns_after_the_audit(specs, clock):
    run = Run(specs)
    run.street("approve")
    run.handover(audit_required=True)
    assert run.open_tasks() == ["exit_audit"]
    assert run.effects.outcomes == []
    run.complete(
        "exit_audit", {"audit_finished": True, "report_number": "审字〔2026〕3号", "findings": "未发现问题"}
    )
    leaving_date_over(run, clock)
    assert_approved(run)
    assert run.visited[-2:] == ["handover", "exit_audit"]


def test_elected_member_needs_district_approval(specs, clock):
    run = Run(specs, is_elected=True)
    run.street("approve")
    assert run.open_tasks() == ["district_review"]
    run.complete("district_review", {"decision": "approve"})
    run.handover(audit_required=False)
    leaving_date_over(run, clock)
    assert_approved(run)
    assert run.visited == ["street_review", "street_decision", "district_review", "handover"]


def test_district_rejection_of_an_elected_member_rejects_the_resignation(specs, clock):
    run = Run(specs, is_elected=True)
    run.street("approve")
    run.complete("district_review", {"decision": "reject", "comment": "须按选举程序先行罢免或辞去职务"})
    assert_rejected(run)
    assert "handover" not in run.visited


def test_the_street_cannot_refuse_the_form_offers_no_refusal(specs, clock):
    run = Run(specs)
    run.complete("street_review", {"decision": "approve", "unfinished_business": False})
    with pytest.raises(Exception, match="reject"):
        run.complete("street_decision", {"decision": "reject", "comment": "不同意"})
    assert run.open_tasks() == ["street_decision"]


def test_a_bar_standing_before_the_status_changes_holds_the_case_until_the_message(specs, clock):
    run = Run(specs)
    run.street("approve")
    run.handover(audit_required=False)
    run.effects.bars = ["under_audit"]  # raised while the case waits for the leaving date
    run.tick(clock, on_day(31, 0, 1))
    assert not run.workflow.is_completed() and run.effects.statuses == []
    [waiting] = run.workflow.waiting_events()
    assert (waiting.event_type, waiting.name) == ("MessageEventDefinition", "resignation_bars_cleared")
    message = run.catch_bars_cleared()  # a message while a bar still stands: the case waits again
    assert not run.workflow.is_completed() and run.workflow.waiting_events()[0].name == message
    run.effects.bars = []
    run.catch_bars_cleared()
    assert_approved(run)


def test_returned_twice_then_approved(specs, clock):
    run = Run(specs)
    run.street("return", "return", "approve")
    assert run.open_tasks() == ["handover"]
    run.handover(audit_required=False)
    leaving_date_over(run, clock)
    assert_approved(run)
    assert run.visited.count("street_review") == 3
    assert run.data["return_count"] == 2


def test_fourth_return_leaves_the_loop_and_goes_on_to_the_handover(specs, clock):
    run = Run(specs)
    run.street("return", "return", "return")
    assert run.open_tasks() == ["street_review"]
    run.street("return")  # the cap is reached (the engine refuses it first): the street cannot refuse
    assert run.open_tasks() == ["handover"]
    assert run.visited.count("street_decision") == 4
    assert run.workflow.get_tasks(state=TaskState.READY, manual=True)[0].data["return_count"] == 3


def test_reminder_goes_to_the_street_leader_five_days_before_the_due_date(specs, clock):
    run = Run(specs)
    run.tick(clock, on_day(25, 8, 59))
    assert run.effects.notifications == []
    run.tick(clock, on_day(26))
    assert run.effects.notifications == [("street_leader", "辞职申请办理时限将至")]
    assert run.open_tasks() == ["street_review"]  # non-interrupting: the review is still open
    run.tick(clock, on_day(27))
    assert len(run.effects.notifications) == 1


def test_the_notice_takes_effect_when_the_last_day_is_over_without_a_decision(specs, clock):
    run = Run(specs)
    run.tick(clock, on_day(26))
    run.complete("street_review", {"decision": "approve", "unfinished_business": False})
    run.tick(clock, on_day(30, 23, 59))
    assert [role for role, _ in run.effects.notifications] == ["street_leader"]
    run.tick(clock, on_day(31, 0, 1))
    assert [role for role, _ in run.effects.notifications] == ["street_leader", "street_leader",
                                                               "district_civil_affairs"]
    assert run.effects.outcomes == ["notice_effective"] and run.effects.statuses == [(7, "resigned")]
    # the status changed on time; the handover is still opened for the street and recorded
    assert not run.workflow.is_completed() and run.open_tasks() == ["handover"]
    run.tick(clock, on_day(33))
    run.handover(audit_required=True)
    run.complete("exit_audit", {"audit_finished": True, "report_number": "审字〔2026〕5号", "findings": "无"})
    assert run.workflow.is_completed()
    assert run.effects.statuses == [(7, "resigned")] and run.effects.outcomes == ["notice_effective"]
    assert run.data["resignation_handover"]["handed_over_to"] == "李四"


def test_a_notice_that_runs_out_waits_while_a_bar_stands(specs, clock):
    run = Run(specs)
    run.effects.bars = ["criminal_case_pending"]
    run.tick(clock, on_day(31))
    assert not run.workflow.is_completed() and run.effects.statuses == []
    run.effects.bars = []
    run.catch_bars_cleared()
    assert run.effects.outcomes == ["notice_effective"] and run.effects.statuses == [(7, "resigned")]


def test_an_elected_members_notice_that_runs_out_goes_to_the_district(specs, clock):
    run = Run(specs, is_elected=True)
    run.tick(clock, on_day(31))
    assert run.open_tasks() == ["district_review"]
    run.complete("district_review", {"decision": "approve"})
    run.handover(audit_required=False)  # the notice's last day is over: the contract ends at once
    assert run.effects.outcomes == ["notice_effective"] and run.effects.statuses == [(7, "resigned")]
    assert run.workflow.is_completed() and run.visited.count("handover") == 1


def test_no_timer_fires_after_the_street_has_decided(specs, clock):
    run = Run(specs)
    clock(on_day(10))
    run.street("approve")
    assert run.workflow.waiting_events() == []
    run.tick(clock, on_day(26))
    run.tick(clock, on_day(40))
    assert run.effects.notifications == []
    assert run.open_tasks() == ["handover"]


def test_timers_survive_the_return_loop(specs, clock):
    run = Run(specs)
    run.street("return")
    run.tick(clock, on_day(26))
    run.street("return")
    run.tick(clock, on_day(31))
    assert [role for role, _ in run.effects.notifications] == ["street_leader", "street_leader",
                                                               "district_civil_affairs"]
    assert run.effects.outcomes == ["notice_effective"]
