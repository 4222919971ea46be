"""Odd, broken, hostile and executable BPMN (tests/fixtures/bpmn): a list of problems or specs, never a traceback.

The diagrams do not use our lanes and forms, so validation problems are expected there; what
matters is that every file ends in a clear answer.
"""

import time
from pathlib import Path

import pytest
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

from engine.bpmn.parsing import DefinitionError, ParsedDefinition, Problem, build_specs
from engine.bpmn.scripting import make_script_engine
from engine.bpmn.validation import validate_definition
from tests.helpers import fixture_path

CORPUS = fixture_path("bpmn")
SKIPPED_SUFFIXES = {".png", ".json", ".xsd", ".md", ".dmn", ".txt"}


def corpus_files(*categories: str) -> list[Path]:
    found = sorted(
        path for category in categories for path in (CORPUS / category).rglob("*")
        if path.is_file() and path.suffix.lower() not in SKIPPED_SUFFIXES
    )
    if not found:
        pytest.fail(f"no {'/'.join(categories)} diagrams under {CORPUS}", pytrace=False)
    return found


def sibling_dmn(path: Path) -> list[bytes]:
    """DMN tables next to the diagram or in a dmn/ folder beside it."""
    found = sorted(path.parent.glob("*.dmn")) + sorted((path.parent / "dmn").glob("*.dmn"))
    return [dmn.read_bytes() for dmn in found]


def label(path: Path) -> str:
    return str(path.relative_to(CORPUS))


TRICKY = corpus_files("tricky", "hostile")
EXECUTABLE = corpus_files("executable")


@pytest.mark.parametrize("path", TRICKY, ids=label)
def test_a_tricky_file_gives_a_clear_list_of_problems_or_validates(path: Path):
    started = time.monotonic()
    problems = validate_definition(path.read_bytes(), sibling_dmn(path), {}, source=path.name)
    assert time.monotonic() - started < 5.0
    assert all(isinstance(p, Problem) and p.message for p in problems)
    assert all("Traceback" not in p.message for p in problems)
    for problem in problems:
        assert problem.line is None or isinstance(problem.line, int)
        str(problem)


@pytest.mark.parametrize("path", TRICKY, ids=label)
def test_a_tricky_file_builds_or_raises_definition_error(path: Path):
    try:
        definition = build_specs(path.read_bytes(), sibling_dmn(path), source=path.name)
    except DefinitionError as exc:
        assert exc.problems and all(isinstance(p, Problem) for p in exc.problems)
    else:
        assert isinstance(definition, ParsedDefinition)


def test_the_tricky_files_include_the_hostile_ones():
    names = {path.name for path in TRICKY}
    assert {"xxe-local-file.bpmn", "billion-laughs.bpmn", "bad-encoding.bpmn", "not-bpmn.bpmn"} <= names


@pytest.mark.parametrize(
    "relative",
    ["hostile/xxe-local-file.bpmn", "hostile/xxe-network.bpmn", "hostile/billion-laughs.bpmn",
     "hostile/external-dtd.xml", "hostile/xxe-parameter-entity.dmn"],
)
def test_the_hostile_uploads_are_refused_as_unsafe(relative: str):
    problems = validate_definition((CORPUS / relative).read_bytes(), [], {}, source=relative)
    assert [p.code for p in problems] == ["unsafe_xml"]


@pytest.mark.parametrize("path", EXECUTABLE, ids=label)
def test_every_executable_file_builds_and_validates_to_a_list(path: Path):
    definition = build_specs(path.read_bytes(), sibling_dmn(path), source=path.name)
    assert definition.spec is not None and definition.process_id
    assert isinstance(validate_definition(path.read_bytes(), sibling_dmn(path), {}, source=path.name), list)


def test_a_business_rule_task_runs_its_dmn_under_the_sandbox():
    folder = CORPUS / "executable"
    definition = build_specs(
        (folder / "business_rule_task.bpmn").read_bytes(), [(folder / "dmn/business_rules.dmn").read_bytes()],
        source="business_rule_task.bpmn",
    )
    workflow = BpmnWorkflow(definition.spec, definition.subprocess_specs, script_engine=make_script_engine())
    workflow.do_engine_steps()
    assert workflow.is_completed()
    assert workflow.data == {"question": "X", "answer": "Y"}


def test_pre_and_post_scripts_run_under_the_sandbox():
    folder = CORPUS / "executable"
    definition = build_specs((folder / "prescript_postscript.bpmn").read_bytes(), source="prescript_postscript.bpmn")
    workflow = BpmnWorkflow(definition.spec, definition.subprocess_specs, script_engine=make_script_engine())
    workflow.get_tasks()[0].data.update(a=1, b=2)
    workflow.do_engine_steps()
    for task in workflow.get_tasks(state=TaskState.READY, manual=True):
        task.run()
    workflow.do_engine_steps()
    assert workflow.is_completed()
    assert workflow.data["c"] == 12 and "x" not in workflow.data
