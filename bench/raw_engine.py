"""The floor every benchmark is compared with: the raw SpiffWorkflow engine, in memory, in one process.

Same diagrams as the API benchmarks (bench/fixtures), SpiffWorkflow's own parser and default script
engine, no database, no HTTP. `roundtrip=True` adds what any persistent engine must also do per
step: serialise the workflow to JSON and read it back (SpiffWorkflow's own serializer, spec included).
"""

import time
from pathlib import Path
from typing import Any

from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.util.task import TaskState

FIXTURES = Path(__file__).resolve().parent / "fixtures"
_SERIALIZER = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))


def spec(name: str) -> tuple[Any, Any]:
    parser = SpiffBpmnParser()
    parser.add_bpmn_file(str(FIXTURES / f"{name}.bpmn"))
    return parser.get_spec(name), parser.get_subprocess_specs(name)


def roundtrip(workflow: BpmnWorkflow) -> BpmnWorkflow:
    return _SERIALIZER.deserialize_json(_SERIALIZER.serialize_json(workflow))


def start(specs: tuple[Any, Any], data: dict[str, Any]) -> BpmnWorkflow:
    workflow = BpmnWorkflow(*specs)
    workflow.get_tasks(state=TaskState.READY)[0].set_data(**data)
    workflow.do_engine_steps()
    return workflow


def complete_first(workflow: BpmnWorkflow, key: str, data: dict[str, Any]) -> None:
    task = workflow.get_tasks(state=TaskState.READY, manual=True)[0]
    task.set_data(**{key: data})
    task.run()
    workflow.do_engine_steps()


def one_task_cycles(count: int, *, with_roundtrip: bool = False) -> tuple[float, float]:
    """Seconds for `count` starts, then for `count` completions of bench_one_task's one task."""
    specs = spec("bench_one_task")
    began = time.perf_counter()
    workflows = []
    for n in range(count):
        workflow = start(specs, {"bench_one_task_start": {"subject": "基准", "n": n}})
        workflows.append(roundtrip(workflow) if with_roundtrip else workflow)
    started = time.perf_counter() - began
    began = time.perf_counter()
    for workflow in workflows:
        if with_roundtrip:
            workflow = roundtrip(workflow)
        complete_first(workflow, "bench_one_task_review", {"decision": "approve", "comment": "同意"})
        assert workflow.is_completed()
        if with_roundtrip:
            _SERIALIZER.serialize_json(workflow)
    return started, time.perf_counter() - began
