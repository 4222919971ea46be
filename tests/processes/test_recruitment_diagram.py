"""The recruitment diagram (招聘) as a file and on the raw engine: lanes are roles, every user task
names an existing form, the nine stages in order, every merge an explicit gateway, loops capped,
a complete layout — and the paths and timers run, without database or web."""

from datetime import datetime
from pathlib import Path

import pytest
from lxml import etree
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser
from SpiffWorkflow.util.task import TaskState

from config.roles import role_for_lane
from engine.bpmn.effects import StepEffects
from engine.bpmn.scripting import make_script_engine
from engine.core import clock
from tests.processes import diagram_checks as checks

ROOT = Path(__file__).resolve().parents[2]
DIAGRAM = ROOT / "workflows" / "recruitment.bpmn"
NS = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL", "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
      "spiffworkflow": "http://spiffworkflow.org/bpmn/schema/1.0/core"}
STAGE_TASKS = ["approve_plan", "file_plan", "publish_notice", "close_qualification_review", "close_written_exam",
               "close_interview", "close_physical", "close_vetting", "publish_list", "close_publicity", "hire",
               "probation_review"]
LANE_OF = {"approve_plan": "social_work_dept", "file_plan": "district_org_dept", "publish_notice": "district_civil_affairs",
           "revise_plan_street": "street_hr", "revise_plan_district": "district_civil_affairs",
           "close_written_exam": "recruitment_panel", "close_vetting": "recruitment_panel", "hire": "district_civil_affairs"}


@pytest.fixture(scope="module")
def root():
    return etree.parse(str(DIAGRAM)).getroot()


@pytest.fixture(scope="module")
def spec():
    parser = SpiffBpmnParser(validator=VALIDATOR)
    parser.add_bpmn_file(str(DIAGRAM))
    return parser.get_spec("recruitment")


def test_process_is_the_executable_recruitment_process_with_role_lanes(root):
    process = root.find("bpmn:process", NS)
    assert (process.get("id"), process.get("name"), process.get("isExecutable")) == ("recruitment", "招聘", "true")
    lanes = {lane.get("name") for lane in process.iterfind("bpmn:laneSet/bpmn:lane", NS)}
    assert lanes == {"街道人事", "区民政局", "社会工作部", "区委组织部", "招聘工作小组"}
    assert all(role_for_lane(name) for name in lanes)


def test_every_user_task_names_a_valid_form_in_chinese_and_sits_in_its_lane(root, spec):
    tasks = root.findall(".//bpmn:userTask", NS)
    assert {t.get("id") for t in tasks} >= set(STAGE_TASKS)
    for task in tasks:
        assert task.get("name"), task.get("id")
        prop = task.find(".//spiffworkflow:property[@name='formJsonSchemaFilename']", NS)
        checks.check_form(prop.get("value"))
    for name, role in LANE_OF.items():
        assert role_for_lane(spec.task_specs[name].lane).key == role, name


def test_every_merge_is_an_explicit_gateway_and_loops_are_capped(root):
    flows = root.findall(".//bpmn:sequenceFlow", NS)
    incoming: dict[str, int] = {}
    for flow in flows:
        incoming[flow.get("targetRef")] = incoming.get(flow.get("targetRef"), 0) + 1
    kinds = {el.get("id"): etree.QName(el).localname for el in root.find("bpmn:process", NS)}
    merged = {node for node, count in incoming.items() if count > 1}
    assert merged == {"plan_merge", "selection_merge"}
    assert all(kinds[node] == "exclusiveGateway" for node in merged)
    loops = {f.get("id"): f.findtext("bpmn:conditionExpression", namespaces=NS) for f in flows}
    assert "recruitment_max_plan_returns" in loops["flow_plan_returned"]
    assert "recruitment_max_substitution_rounds" in loops["flow_more_substitutes"]
    for gateway in root.iterfind(".//bpmn:exclusiveGateway", NS):
        if len(gateway.findall("bpmn:outgoing", NS)) > 1:
            assert gateway.get("default"), gateway.get("id")


def test_every_element_and_flow_is_drawn(root):
    drawn = {el.get("bpmnElement") for el in root.iterfind(".//bpmndi:BPMNShape", NS)}
    drawn |= {el.get("bpmnElement") for el in root.iterfind(".//bpmndi:BPMNEdge", NS)}
    process = root.find("bpmn:process", NS)
    elements = {el.get("id") for el in process if etree.QName(el).localname not in ("laneSet", "documentation")}
    lanes = {lane.get("id") for lane in process.iterfind("bpmn:laneSet/bpmn:lane", NS)}
    assert elements | lanes | {"recruitment_pool"} <= drawn


class Run:
    """The diagram on the raw engine with the helpers the runtime gives it."""

    def __init__(self, spec, data: dict):  # noqa: ANN001
        self.effects = StepEffects()
        self.workflow = BpmnWorkflow(spec)
        self.workflow.script_engine = make_script_engine(self.effects.functions())
        self.workflow.get_tasks(state=TaskState.READY)[0].set_data(**data)
        self.workflow.do_engine_steps()

    def ready(self) -> list[str]:
        return [t.task_spec.name for t in self.workflow.get_tasks(state=TaskState.READY, manual=True)]

    def complete(self, name: str, form_key: str, data: dict) -> None:
        (task,) = [t for t in self.workflow.get_tasks(state=TaskState.READY, manual=True) if t.task_spec.name == name]
        task.set_data(**{form_key: data})
        task.run()
        self.workflow.do_engine_steps()

    def at(self, moment: str) -> None:
        with clock.frozen(datetime.fromisoformat(moment)):
            self.workflow.refresh_timers()
            self.workflow.do_engine_steps()


START = {"title": "招聘", "year": 2026, "posts": [{"community": "S01C01", "count": 1}],
         "registration_opens": "2026-09-07", "registration_closes": "2026-09-11", "organiser_role": "street_hr"}


def test_plan_returns_go_to_the_author_and_stop_at_the_cap(spec):
    run = Run(spec, START)
    for _ in range(3):
        run.complete("approve_plan", "recruitment_plan_approval", {"decision": "return", "comment": "改"})
        assert run.ready() == ["revise_plan_street"]
        run.complete("revise_plan_street", "recruitment_plan_revision", {**START, "changes": "已改"})
    run.complete("approve_plan", "recruitment_plan_approval", {"decision": "return", "comment": "改"})
    assert run.workflow.is_completed() and run.effects.outcome == "rejected"


def test_registration_publicity_and_probation_wait_for_their_timers(spec):
    run = Run(spec, {**START, "organiser_role": "district_civil_affairs"})
    run.complete("approve_plan", "recruitment_plan_approval", {"decision": "approve"})
    run.complete("file_plan", "recruitment_plan_filing", {"filing_number": "1", "filed_on": "2026-09-01"})
    with clock.frozen(datetime.fromisoformat("2026-09-02T09:00:00+08:00")):
        run.complete("publish_notice", "recruitment_notice", {"notice_number": "1", "published_on": "2026-09-02",
                                                              "channel": "网站", "registration_closes": "2026-09-14"})
    run.at("2026-09-14T23:59:00+08:00")
    assert run.ready() == []
    run.at("2026-09-15T00:00:01+08:00")
    assert run.ready() == ["close_qualification_review"]
    for name, key, data in (("close_qualification_review", "recruitment_qualification_close", {"confirmed": True}),
                            ("close_written_exam", "recruitment_written_close", {"pass_line": 60}),
                            ("close_interview", "recruitment_interview_close", {"confirmed": True}),
                            ("close_physical", "recruitment_physical_close", {"confirmed": True}),
                            ("close_vetting", "recruitment_vetting_close", {"confirmed": True})):
        run.complete(name, key, data)
    with clock.frozen(datetime.fromisoformat("2026-09-28T09:00:00+08:00")):
        run.complete("publish_list", "recruitment_publicity", {"channel": "网站"})
    (waiting,) = run.workflow.get_tasks(spec_name="publicity_ends")
    assert waiting.data["publicity_until"] == "2026-10-13"  # 7 working days around the National Day holiday
    run.at("2026-10-13T23:00:00+08:00")
    assert run.ready() == []
    run.at("2026-10-14T00:00:01+08:00")
    run.complete("close_publicity", "recruitment_publicity_close", {"next_step": "substitutes"})
    assert run.ready() == ["close_physical"]  # round two for the substitutes
    for name, key, data in (("close_physical", "recruitment_physical_close", {"confirmed": True}),
                            ("close_vetting", "recruitment_vetting_close", {"confirmed": True})):
        run.complete(name, key, data)
    with clock.frozen(datetime.fromisoformat("2026-10-16T09:00:00+08:00")):
        run.complete("publish_list", "recruitment_publicity", {"channel": "网站"})
    run.at("2026-10-28T00:00:01+08:00")
    run.complete("close_publicity", "recruitment_publicity_close", {"next_step": "hire"})
    # The hire rule adds the first probation end and the review's opening day (10 working days before).
    run.complete("hire", "recruitment_hire", {"filing_number": "1", "probation_end": "2027-01-31",
                                              "probation_review_opens": "2027-01-18"})
    assert run.effects.outcome == "hired"
    run.at("2027-01-18T08:59:00+08:00")
    assert run.ready() == []
    run.at("2027-01-18T09:00:01+08:00")
    assert run.ready() == ["probation_review"]
    run.at("2027-02-01T00:00:01+08:00")  # probation over, review unfinished: the district is told
    assert run.ready() == ["probation_review"]
    assert ("district_civil_affairs", "试用期已于2027-01-31届满，试用期满考核仍未完成，请督办") in run.effects.notifications
    run.complete("probation_review", "recruitment_probation_close", {"confirmed": True})
    assert run.workflow.is_completed()
