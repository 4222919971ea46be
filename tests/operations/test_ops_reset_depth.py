"""Measured: returns (task resets) are safe at the depths our cases reach (deep task trees
stall near depth 1000, and resets recurse).

- A return removes the steps it undoes, so repeated returns keep the task tree the same size.
- A reset at the deep end of a long correction loop (200 passes, depth about 800) works and is fast.
The numbers are printed with `-s`; docs/operations.md keeps the ones measured on this machine.
"""

import time

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

from engine.bpmn.parsing import build_specs
from engine.bpmn.resets import completed_user_steps_before, reset_within
from engine.bpmn.scripting import make_script_engine
from tests.helpers import open_task
from tests.operations.ops_support import refused, resignation, task_post, to_decision

LOOP = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="loop_defs" targetNamespace="urn:cwflow:test:loop">
  <bpmn:process id="loop" isExecutable="true">
    <bpmn:startEvent id="s"><bpmn:outgoing>a</bpmn:outgoing></bpmn:startEvent>
    <bpmn:exclusiveGateway id="merge"><bpmn:incoming>a</bpmn:incoming><bpmn:incoming>again</bpmn:incoming>
      <bpmn:outgoing>b</bpmn:outgoing></bpmn:exclusiveGateway>
    <bpmn:userTask id="work" name="work"><bpmn:incoming>b</bpmn:incoming><bpmn:outgoing>c</bpmn:outgoing></bpmn:userTask>
    <bpmn:exclusiveGateway id="more" default="done"><bpmn:incoming>c</bpmn:incoming>
      <bpmn:outgoing>again</bpmn:outgoing><bpmn:outgoing>done</bpmn:outgoing></bpmn:exclusiveGateway>
    <bpmn:endEvent id="e"><bpmn:incoming>done</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="a" sourceRef="s" targetRef="merge" />
    <bpmn:sequenceFlow id="b" sourceRef="merge" targetRef="work" />
    <bpmn:sequenceFlow id="c" sourceRef="work" targetRef="more" />
    <bpmn:sequenceFlow id="again" sourceRef="more" targetRef="merge">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">go_on</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="done" sourceRef="more" targetRef="e" />
  </bpmn:process>
</bpmn:definitions>
"""


def _ready(workflow: BpmnWorkflow) -> list:
    return workflow.get_tasks(state=TaskState.READY, manual=True)


def test_a_reset_deep_in_a_long_correction_loop_works_and_is_fast():
    parsed = build_specs(LOOP, source="loop.bpmn")
    workflow = BpmnWorkflow(parsed.spec, parsed.subprocess_specs)
    workflow.script_engine = make_script_engine()
    workflow.do_engine_steps()
    passes = 200
    for _ in range(passes):
        task = _ready(workflow)[0]
        task.set_data(go_on=True)
        task.run()
        workflow.do_engine_steps()
    current = _ready(workflow)[0]
    depth = current.depth
    assert depth > 3 * passes  # the loop deepened the tree
    size = len(workflow.tasks)
    started = time.perf_counter()
    assert completed_user_steps_before(current) == []  # a step is never returned to itself
    previous = current.parent
    while previous.task_spec.name != "work":  # the engine's reset of the previous pass, measured as such
        previous = previous.parent
    reset_within(workflow, previous)
    workflow.do_engine_steps()
    elapsed = time.perf_counter() - started
    ready = _ready(workflow)
    assert [t.id for t in ready] == [previous.id]
    assert len(workflow.tasks) < size  # the undone pass is gone, nothing was added
    print(f"\nreset at depth {depth}: {elapsed * 1000:.1f} ms, tree {size} -> {len(workflow.tasks)} tasks")
    assert elapsed < 1.0


def test_repeated_returns_keep_the_case_the_same_size(monkeypatch, app, as_user):
    from engine.models import Instance
    from web.extensions import db

    monkeypatch.setenv("CWFLOW_OPS_MAX_RETURNS", '{"*": 30}')
    # the engine's own reset, measured here, rather than the diagram's counted return path of the form
    monkeypatch.setattr("engine.operations.returns.decision_returning_to", lambda *args: None)
    hr, leader = as_user("hr_s01"), as_user("leader_s01")
    case = resignation(hr)
    sizes, times = [], []
    for _ in range(30):
        to_decision(hr, case)
        decision = open_task(leader, case["id"], "street_decision")
        started = time.perf_counter()
        assert task_post(leader, decision, "return", {"target": "street_review", "reason": "补正"}).status_code == 200
        times.append(time.perf_counter() - started)
        with app.app_context():
            sizes.append(len(db.session.get(Instance, case["id"]).state))
    assert max(sizes[5:]) <= sizes[4] * 1.02  # no growth once the first passes settled
    print(f"\n30 returns: state {sizes[0]} -> {sizes[-1]} bytes, slowest return {max(times) * 1000:.0f} ms")
    to_decision(hr, case)
    decision = open_task(leader, case["id"], "street_decision")
    refused(task_post(leader, decision, "return", {"target": "street_review", "reason": "补正"}), 409,
            "return_limit_reached")
