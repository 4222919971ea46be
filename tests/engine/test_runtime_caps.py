"""Run-time caps on what the engine itself does with computed values: a multi-instance task starts at
most MAX_LOOP_INSTANCES instances, a computed timer lies within the upload validator's 100 years, and
a run of cheap automatic steps stops at the step deadline — each refused quickly, naming the element.
"""

import time
from datetime import timedelta

import pytest
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

from engine.bpmn.parsing import build_specs
from engine.bpmn.script_guards import MAX_LOOP_INSTANCES
from engine.bpmn.scripting import make_script_engine
from engine.core import clock
from engine.core.errors import EngineFailure
from engine.process import kernel
from tests.engine.test_validation import IO, SITE_HEAD, SITE_TAIL, TO_END

SCRIPT_END = "<bpmn:script>done = True</bpmn:script></bpmn:scriptTask>" + TO_END


def caps_diagram(body: str, nodes: tuple[str, ...] = ("target",)) -> bytes:
    """A `sites` process: start -> `body` (first node `nodes[0]`, last `target`) -> end, in the HR lane."""
    refs = "".join(f"<bpmn:flowNodeRef>{node}</bpmn:flowNodeRef>" for node in nodes)
    head = SITE_HEAD.replace("<bpmn:flowNodeRef>NODE</bpmn:flowNodeRef>", refs).replace("NODE", nodes[0])
    return (head + body + SITE_TAIL).encode()


def loop_body(*, cardinality: str | None = None, collection: str | None = None, sequential: bool = False) -> str:
    """A multi-instance script task `target`; over a collection each instance copies its item to `results`."""
    what = (f'<bpmn:loopCardinality xsi:type="bpmn:tFormalExpression">{cardinality}</bpmn:loopCardinality>'
            if cardinality is not None else
            f"<bpmn:loopDataInputRef>{collection}</bpmn:loopDataInputRef><bpmn:loopDataOutputRef>results"
            '</bpmn:loopDataOutputRef><bpmn:inputDataItem id="item" name="item" />'
            '<bpmn:outputDataItem id="result" name="result" />')
    script = SCRIPT_END if cardinality is not None else SCRIPT_END.replace("done = True", "result = item")
    flag = "true" if sequential else "false"
    return (f'<bpmn:scriptTask id="target">{IO}<bpmn:multiInstanceLoopCharacteristics isSequential="{flag}">'
            f"{what}</bpmn:multiInstanceLoopCharacteristics>{script}")


def timer_body(kind: str, expression: str) -> str:
    return (f'<bpmn:intermediateCatchEvent id="target">{IO}<bpmn:timerEventDefinition id="Timer_1">'
            f'<bpmn:{kind} xsi:type="bpmn:tFormalExpression">{expression}</bpmn:{kind}>'
            f"</bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>{TO_END}")


def started(bpmn: bytes, data: dict) -> BpmnWorkflow:
    definition = build_specs(bpmn, source="caps.bpmn")
    workflow = BpmnWorkflow(definition.spec, definition.subprocess_specs, script_engine=make_script_engine())
    workflow.get_tasks()[0].data.update(data)
    return workflow


def refusal(workflow: BpmnWorkflow) -> tuple[str, float]:
    began = time.monotonic()
    with pytest.raises(EngineFailure) as caught:
        kernel.advance(workflow)
    return caught.value.message, time.monotonic() - began


def instances_of_target(workflow: BpmnWorkflow) -> int:
    return sum(1 for task in workflow.get_tasks() if task.task_spec.name == "target [child]")


# ---- multi-instance ------------------------------------------------------------------------------


@pytest.mark.parametrize("sequential", [False, True])
def test_a_computed_cardinality_within_the_cap_runs_every_instance(sequential):
    workflow = started(caps_diagram(loop_body(cardinality="n", sequential=sequential)), {"n": 3})
    kernel.advance(workflow)
    assert workflow.is_completed()
    assert instances_of_target(workflow) == 3


@pytest.mark.parametrize("sequential", [False, True])
def test_a_computed_cardinality_over_the_cap_is_refused_naming_the_task_and_the_number(sequential):
    workflow = started(caps_diagram(loop_body(cardinality="n", sequential=sequential)),
                       {"n": MAX_LOOP_INSTANCES + 1})
    message, seconds = refusal(workflow)
    assert f"多实例任务 'target' 要求创建 {MAX_LOOP_INSTANCES + 1} 个实例，上限为 {MAX_LOOP_INSTANCES} 个" in message
    assert seconds < 1
    assert instances_of_target(workflow) == 0


def test_exactly_the_cap_is_allowed():
    workflow = started(caps_diagram(loop_body(cardinality="n")), {"n": MAX_LOOP_INSTANCES})
    kernel.advance(workflow)
    assert workflow.is_completed()


def test_an_enormous_cardinality_is_reported_without_printing_every_digit():
    workflow = started(caps_diagram(loop_body(cardinality="10 ** 300")), {})
    message, _ = refusal(workflow)
    assert "10^300" in message and len(message) < 200


@pytest.mark.parametrize("sequential", [False, True])
def test_an_input_collection_within_the_cap_gives_one_instance_per_item(sequential):
    workflow = started(caps_diagram(loop_body(collection="items", sequential=sequential)), {"items": ["a", "b"]})
    kernel.advance(workflow)
    assert workflow.is_completed()
    assert workflow.data["results"] == ["a", "b"]


@pytest.mark.parametrize("sequential", [False, True])
def test_an_input_collection_over_the_cap_is_refused_before_any_instance_exists(sequential):
    workflow = started(caps_diagram(loop_body(collection="items", sequential=sequential)),
                       {"items": list(range(100_000))})
    message, seconds = refusal(workflow)
    assert "'target' 要求创建 100000 个实例" in message
    assert seconds < 2
    assert instances_of_target(workflow) == 0


def test_a_collection_made_by_a_script_before_the_loop_is_capped_too():
    body = (f'<bpmn:scriptTask id="make">{IO.replace("f2", "f3")}<bpmn:script>items = list(range(n))</bpmn:script>'
            '</bpmn:scriptTask><bpmn:sequenceFlow id="f3" sourceRef="make" targetRef="target" />'
            + loop_body(collection="items").replace(IO, "<bpmn:incoming>f3</bpmn:incoming><bpmn:outgoing>f2"
                                                        "</bpmn:outgoing>"))
    workflow = started(caps_diagram(body, nodes=("make", "target")), {"n": 2_000})
    message, _ = refusal(workflow)
    assert "'target' 要求创建 2000 个实例" in message


# ---- timers --------------------------------------------------------------------------------------


def _soon(days: int) -> str:
    return (clock.now() + timedelta(days=days)).isoformat(timespec="seconds")


@pytest.mark.parametrize(("kind", "expression", "data"), [
    ("timeDuration", '"P" + str(n) + "Y"', {"n": 99}),
    ("timeDuration", '"P" + str(n) + "D"', {"n": 3}),
    ("timeDate", "moment", {"moment": _soon(30)}),
    ("timeCycle", '"R3/PT" + str(n) + "H"', {"n": 1}),
])
def test_a_computed_timer_within_a_hundred_years_waits(kind, expression, data):
    workflow = started(caps_diagram(timer_body(kind, expression)), data)
    kernel.advance(workflow)
    assert [t.task_spec.name for t in workflow.get_tasks(state=TaskState.WAITING)] == ["target"]


@pytest.mark.parametrize(("kind", "expression", "data", "says"), [
    ("timeDuration", '"P" + str(n) + "Y"', {"n": 5_000}, "持续时间超过 100 年"),
    ("timeDuration", '"P" + str(n) + "Y"', {"n": 100_000}, "持续时间超过 100 年"),
    ("timeDuration", '"PT" + str(n) + "H"', {"n": 10**12}, "持续时间超过 100 年"),
    ("timeDuration", '"P5X"', {}, "不是有效的 ISO-8601"),
    ("timeDuration", "n", {"n": 5}, "须给出文本"),
    ("timeDate", "moment", {"moment": "9999-01-01T00:00:00+08:00"}, "在 100 年之后"),
    ("timeDate", "moment", {"moment": "2030-01-01T00:00:00"}, "须注明时区"),
    ("timeDate", "moment", {"moment": "soon"}, "不是有效的 ISO-8601"),
    ("timeCycle", '"R3/P" + str(n) + "Y"', {"n": 200}, "持续时间超过 100 年"),
    ("timeCycle", '"R3/9000-01-01T00:00:00Z/P1D"', {}, "在 100 年之后"),
])
def test_a_computed_timer_beyond_a_hundred_years_or_malformed_is_refused_quickly(kind, expression, data, says):
    workflow = started(caps_diagram(timer_body(kind, expression)), data)
    message, seconds = refusal(workflow)
    assert "定时器 'target'" in message and says in message, message
    assert seconds < 1


# ---- the step deadline between engine steps ------------------------------------------------------


def test_a_loop_of_cheap_automatic_steps_stops_at_the_step_deadline(monkeypatch):
    body = (f'<bpmn:scriptTask id="target">{IO}<bpmn:standardLoopCharacteristics loopMaximum="3000" />'
            f"{SCRIPT_END}")
    monkeypatch.setattr(kernel, "STEP_SECONDS", 0.5)
    workflow = started(caps_diagram(body), {})
    message, seconds = refusal(workflow)
    assert "运行过久" in message
    assert seconds < 3


def test_a_short_standard_loop_still_completes():
    body = f'<bpmn:scriptTask id="target">{IO}<bpmn:standardLoopCharacteristics loopMaximum="5" />{SCRIPT_END}'
    workflow = started(caps_diagram(body), {})
    kernel.advance(workflow)
    assert workflow.is_completed()
