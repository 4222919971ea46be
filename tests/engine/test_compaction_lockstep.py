"""Compaction changes nothing a case can do: the same loop run twice side by side, one tree left
whole and one compacted (and saved and loaded) after every step, offers the same tasks with the
same data, the same return targets, and lands in the same place after every possible return.

The diagrams loop through what compaction must respect: a parallel region, an interrupting timer
on a task (fired in some passes), and an embedded subprocess.
"""

import json
from collections.abc import Callable
from typing import Any

import pytest
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

from engine.bpmn.compaction import compact, task_count
from engine.bpmn.parsing import build_specs
from engine.bpmn.resets import completed_user_steps_before, element_id, park_at_start, reset_within
from engine.bpmn.scripting import make_script_engine
from engine.bpmn.store import STATE_FORMAT, dump_state, load_state
from tests.conftest import ROOT

HEAD = ('<?xml version="1.0" encoding="UTF-8"?><bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/'
        '20100524/MODEL" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="d" targetNamespace="urn:t">')


def _flow(source: str, target: str, condition: str | None = None) -> str:
    body = f'<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">{condition}</bpmn:conditionExpression>' \
        if condition else ""
    return f'<bpmn:sequenceFlow id="{source}_{target}" sourceRef="{source}" targetRef="{target}">{body}' \
           "</bpmn:sequenceFlow>"


PARALLEL_AND_TIMER = (HEAD + """<bpmn:process id="p" isExecutable="true">
  <bpmn:startEvent id="s" /><bpmn:exclusiveGateway id="merge" /><bpmn:parallelGateway id="fork" />
  <bpmn:userTask id="a" /><bpmn:userTask id="b" /><bpmn:parallelGateway id="join" />
  <bpmn:userTask id="review" />
  <bpmn:boundaryEvent id="late_timer" attachedToRef="review" cancelActivity="true">
    <bpmn:timerEventDefinition><bpmn:timeDuration xsi:type="bpmn:tFormalExpression">timeout</bpmn:timeDuration>
    </bpmn:timerEventDefinition></bpmn:boundaryEvent>
  <bpmn:userTask id="late" /><bpmn:exclusiveGateway id="after" />
  <bpmn:exclusiveGateway id="more" default="more_e" /><bpmn:endEvent id="e" />
  """ + "".join([_flow("s", "merge"), _flow("merge", "fork"), _flow("fork", "a"), _flow("fork", "b"),
                 _flow("a", "join"), _flow("b", "join"), _flow("join", "review"), _flow("review", "after"),
                 _flow("late_timer", "late"), _flow("late", "after"), _flow("after", "more"),
                 _flow("more", "merge", "go_on"), _flow("more", "e")])
    + "</bpmn:process></bpmn:definitions>").encode()

SUBPROCESS_LOOP = (HEAD + """<bpmn:process id="p" isExecutable="true">
  <bpmn:startEvent id="s" /><bpmn:exclusiveGateway id="merge" />
  <bpmn:subProcess id="sub"><bpmn:startEvent id="ss" /><bpmn:userTask id="inner" /><bpmn:endEvent id="se" />
    """ + _flow("ss", "inner") + _flow("inner", "se") + """</bpmn:subProcess>
  <bpmn:userTask id="check" /><bpmn:exclusiveGateway id="more" default="more_e" /><bpmn:endEvent id="e" />
  """ + "".join([_flow("s", "merge"), _flow("merge", "sub"), _flow("sub", "check"), _flow("check", "more"),
                 _flow("more", "merge", "go_on"), _flow("more", "e")])
    + "</bpmn:process></bpmn:definitions>").encode()

RESETS = 4  # three returns (the limit set below) and a withdrawal
BENCH_LOOP = (ROOT / "bench" / "fixtures" / "bench_loop.bpmn").read_bytes()


@pytest.fixture(autouse=True)
def three_returns_per_case(monkeypatch: pytest.MonkeyPatch) -> None:
    """A low return limit, so compaction keeps little and the chains of returns reach past it."""
    monkeypatch.setenv("CWFLOW_OPS_MAX_RETURNS", '{"*": 3}')


def _start(parsed: Any, data: dict[str, Any]) -> BpmnWorkflow:
    workflow = BpmnWorkflow(parsed.spec, parsed.subprocess_specs)
    workflow.script_engine = make_script_engine()
    workflow.get_tasks(state=TaskState.READY)[0].set_data(**data)
    workflow.do_engine_steps()
    return workflow


def _saved_and_loaded(workflow: BpmnWorkflow, parsed: Any) -> BpmnWorkflow:
    loaded = load_state(dump_state(workflow), parsed, STATE_FORMAT)
    loaded.script_engine = make_script_engine()
    return loaded


def _ready(workflow: BpmnWorkflow) -> list[Any]:
    return sorted(workflow.get_tasks(state=TaskState.READY, manual=True), key=element_id)


def _text(data: dict[str, Any]) -> str:
    return json.dumps(data, sort_keys=True, default=str, ensure_ascii=False)


def _view(workflow: BpmnWorkflow) -> dict[str, Any]:
    """What a person or the app can see of a case, without task ids (which differ between runs)."""
    return {
        "ready": [(element_id(t), _text(t.data)) for t in _ready(workflow)],
        "waiting": sorted(element_id(t) for t in workflow.get_tasks(state=TaskState.WAITING)),
        "returns": [[(element_id(s), _text(s.parent.data)) for s in completed_user_steps_before(t)]
                    for t in _ready(workflow)],
        "visited": sorted({element_id(t) for t in workflow.get_tasks(state=TaskState.COMPLETED)}),
        "completed": workflow.is_completed(),
        "data": _text(workflow.data),
    }


def _step(workflow: BpmnWorkflow, name: str, data: dict[str, Any]) -> None:
    task = next(t for t in _ready(workflow) if element_id(t) == name)
    task.set_data(**data)
    task.run()
    workflow.do_engine_steps()


def _returned(workflow: BpmnWorkflow, parsed: Any, path: tuple[int, ...]) -> BpmnWorkflow | None:
    """A copy of the case after the returns in `path` (which ready task, which target, in turn)."""
    copy = _saved_and_loaded(workflow, parsed)
    for choice in path:
        choices = [(t, s) for t in _ready(copy) for s in completed_user_steps_before(t)]
        if not choices:
            return None
        reset_within(copy, choices[choice % len(choices)][1])  # forgets the events it drops
        copy.do_engine_steps()
    return copy


def _return_paths(workflow: BpmnWorkflow, resets: int) -> list[tuple[int, ...]]:
    """Every single return, every pair, and chains as long as the limit going always to the newest
    and always to the oldest target."""
    first = sum(len(completed_user_steps_before(t)) for t in _ready(workflow))
    paths: list[tuple[int, ...]] = [(a,) for a in range(first)] + [(a, b) for a in range(first) for b in range(4)]
    return paths + [(a,) + (0,) * (resets - 1) for a in range(first)] + [(a,) + (-1,) * (resets - 1)
                                                                         for a in range(first)]


def _after_returns(workflow: BpmnWorkflow, parsed: Any, paths: list[tuple[int, ...]]) -> list[Any]:
    outcomes: list[Any] = []
    for path in paths:
        copy = _returned(workflow, parsed, path)
        outcomes.append(None if copy is None else _view(copy))
    copy = _saved_and_loaded(workflow, parsed)
    park_at_start(copy)
    outcomes.append(_view(copy))
    return outcomes


def _run_side_by_side(bpmn: bytes, choose: Callable[[str, int], dict[str, Any]], steps: int,
                      check_returns_every: int = 1) -> tuple[BpmnWorkflow, BpmnWorkflow]:
    parsed = build_specs(bpmn, source="loop.bpmn")
    whole = _start(parsed, {"subject": "循环", "timeout": "P30D"})
    compacted = _saved_and_loaded(whole, parsed)
    for step in range(steps):
        name = element_id(_ready(whole)[0])
        _step(whole, name, choose(name, step))
        _step(compacted, name, choose(name, step))
        compact(compacted, threshold=0)
        compacted = _saved_and_loaded(compacted, parsed)
        assert _view(compacted) == _view(whole), f"step {step} ({name})"
        if step % check_returns_every == 0:
            paths = _return_paths(whole, RESETS)
            assert _after_returns(compacted, parsed, paths) == _after_returns(whole, parsed, paths), f"step {step}"
        if whole.is_completed():
            break
    return whole, compacted


def _parallel_choice(name: str, step: int) -> dict[str, Any]:
    passing = step // 4
    return {f"{name}_done": step, "go_on": passing < 9, "timeout": "PT0S" if passing % 3 == 2 else "P30D"}


def test_a_loop_through_a_parallel_region_and_a_timed_task_behaves_the_same_compacted():
    whole, compacted = _run_side_by_side(PARALLEL_AND_TIMER, _parallel_choice, steps=60)
    assert whole.is_completed() and compacted.is_completed()
    assert "late" in _view(whole)["visited"]  # the timer fired in some passes
    assert task_count(compacted) < task_count(whole)


def test_a_loop_over_a_subprocess_behaves_the_same_compacted_and_drops_old_subprocesses():
    whole, compacted = _run_side_by_side(SUBPROCESS_LOOP, lambda name, step: {"go_on": step < 30, "n": step},
                                         steps=30)
    assert len(whole.subprocesses) >= 15
    assert len(compacted.subprocesses) <= RESETS + 1  # one per pass that returns can still reach
    assert _view(compacted) == _view(whole)


def test_bench_loop_behaves_the_same_compacted_for_forty_passes():
    _run_side_by_side(BENCH_LOOP, lambda name, step: {"bench_loop_step": {"again": True, "pass": step}}, steps=40)
