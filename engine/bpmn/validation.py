"""The upload validator: everything wrong with a BPMN/DMN/forms upload, reported together.

Why: an administrator fixing a diagram in the browser modeler wants the whole list at once, each
item pointing at an element and a line, and never a traceback. Validation only reads: an invalid
upload changes nothing. The rules are those of workflows/README.md: lanes are roles, user tasks
name a JSON Schema form, due dates are numbers or policy names, and every script, condition,
timer and DMN cell compiles in the sandbox.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError
from lxml import etree

from config.policy import DEFAULTS as POLICY_DEFAULTS
from config.roles import role_for_lane
from engine.bpmn.parsing import (
    DefinitionError,
    Problem,
    build_specs_from_trees,
    parse_or_report,
    problem_from_exception,
)
from engine.bpmn.validation_sites import NS, expression_problems
from engine.core.safe_patterns import schema_pattern_problems

__all__ = ["Problem", "validate_definition"]

FORM_PROPERTY = "formJsonSchemaFilename"
DUE_PROPERTIES = ("dueInDays", "dueInWorkingDays", "dueAt")
_HUMAN_TASKS = ("userTask", "manualTask", "task")  # SpiffWorkflow runs a plain task by hand too
_SUBPROCESSES = ("subProcess", "transaction", "adHocSubProcess")


def _properties(task: etree._Element) -> dict[str, str]:
    """The task's spiffworkflow:property name/value pairs (as SpiffWorkflow reads them)."""
    path = "./bpmn:extensionElements/spiffworkflow:properties//spiffworkflow:property"
    return {p.get("name"): p.get("value", "") for p in task.xpath(path, namespaces=NS) if p.get("name")}


def _human_tasks(root: etree._Element) -> list[etree._Element]:
    return [t for kind in _HUMAN_TASKS for t in root.iterfind(f".//bpmn:{kind}", NS)]


def _problem(message: str, element: etree._Element, code: str) -> Problem:
    return Problem(message, element.get("id"), element.sourceline, code)


def _lane_of(task: etree._Element, lanes_by_node: dict[str, str | None]) -> str | None:
    """The lane SpiffWorkflow gives the task: an enclosing sub-process's lane wins over its own."""
    enclosing = [a for a in task.iterancestors() if etree.QName(a).localname in _SUBPROCESSES]
    for node in (*reversed(enclosing), task):
        lane = lanes_by_node.get(node.get("id", ""))
        if lane is not None:
            return lane
    return None


def lane_problems(root: etree._Element) -> list[Problem]:
    """Every lane names a role (config/roles.py); every human task sits in a lane."""
    problems: list[Problem] = []
    lanes_by_node: dict[str, str | None] = {}
    for lane in root.iterfind(".//bpmn:lane", NS):
        name = lane.get("name")
        for ref in lane.iterfind("bpmn:flowNodeRef", NS):
            if ref.text is not None:
                lanes_by_node[ref.text] = name
        if lane.find("bpmn:childLaneSet", NS) is not None:
            continue  # a container of lanes; the inner lanes are the roles
        if not name or not name.strip():
            problems.append(_problem("泳道没有名称：请以角色命名，如 街道人事 或 street_hr", lane, "lane"))
        elif role_for_lane(name) is None:
            problems.append(_problem(f"泳道 '{name}' 不是已知角色", lane, "lane"))
    for task in _human_tasks(root):
        if _lane_of(task, lanes_by_node) is None:
            problems.append(_problem("任务不在任何泳道中，没有人会收到它", task, "lane"))
    return problems


def form_schema_problem(form: Any) -> str | None:
    """Why a form cannot be used, or None: it must be a JSON Schema (2020-12) of an object."""
    if not isinstance(form, dict):
        return "不是 JSON 对象"
    try:
        Draft202012Validator.check_schema(form)
    except SchemaError as exc:
        return f"不是有效的 JSON Schema：{exc.message}"
    if form.get("type") != "object":
        return '须为 "type": "object" 的 JSON Schema'
    unsafe = schema_pattern_problems(form)
    if unsafe:
        path, problem = unsafe[0]
        return f"的格式规则 {path} 不安全：{problem}"
    return None


def form_problems(root: etree._Element, forms: Mapping[str, Any]) -> list[Problem]:
    """Every user task names, with formJsonSchemaFilename, a valid form that exists."""
    problems: list[Problem] = []
    verdicts: dict[str, str | None] = {}
    for task in root.iterfind(".//bpmn:userTask", NS):
        form_name = _properties(task).get(FORM_PROPERTY, "").strip()
        if not form_name:
            problems.append(_problem(f"用户任务未指定表单（属性 {FORM_PROPERTY}）", task, "form"))
        elif form_name not in forms:
            problems.append(_problem(f"表单 '{form_name}' 不存在", task, "form"))
        else:
            if form_name not in verdicts:
                verdicts[form_name] = form_schema_problem(forms[form_name])
            if verdicts[form_name]:
                problems.append(_problem(f"表单 '{form_name}' {verdicts[form_name]}", task, "form"))
    return problems


def _due_days_problem(key: str, value: str) -> str | None:
    value = value.strip()
    if value.isascii() and value.isdigit():
        return None if int(value) > 0 else f"{key} 至少为 1"
    if value in POLICY_DEFAULTS:
        policy = POLICY_DEFAULTS[value]
        if isinstance(policy, int) and not isinstance(policy, bool) and policy > 0:
            return None
        return f"{key}：政策参数 '{value}' 不是天数"
    return f"{key} 须为正整数或 config/policy.py 中的政策参数名，而不是 '{value}'"


def due_problems(root: etree._Element) -> list[Problem]:
    """dueInDays/dueInWorkingDays are a number or policy name; only one due property per task.

    `dueAt` is an expression: `validation_sites` compiles it with the other expressions.
    """
    problems: list[Problem] = []
    for task in _human_tasks(root):
        properties = _properties(task)
        given = [key for key in DUE_PROPERTIES if key in properties]
        if len(given) > 1:
            problems.append(_problem(f"只能设置 {'、'.join(given)} 中的一个", task, "due"))
        for key in ("dueInDays", "dueInWorkingDays"):
            if key in properties and (message := _due_days_problem(key, properties[key])):
                problems.append(_problem(message, task, "due"))
    return problems


def validate_definition(
    bpmn: bytes, dmn: Sequence[bytes], forms: Mapping[str, dict], *, source: str, process_id: str | None = None
) -> list[Problem]:
    """Every problem of an upload (empty list: it can be deployed). Never raises for bad input.

    `forms` maps form file names (`resignation_street_review.json`) to their parsed JSON.
    """
    problems: list[Problem] = []
    bpmn_root = parse_or_report(bpmn, source, problems)
    dmn_roots: dict[str, etree._Element] = {}
    for index, data in enumerate(dmn):
        name = f"{source} DMN {index + 1}"
        if (dmn_root := parse_or_report(data, name, problems)) is not None:
            dmn_roots[name] = dmn_root
    if bpmn_root is None:
        return problems
    checks = (
        lambda: lane_problems(bpmn_root),
        lambda: form_problems(bpmn_root, forms),
        lambda: due_problems(bpmn_root),
        lambda: expression_problems(bpmn_root, dmn_roots),
    )
    for check in checks:
        try:
            problems.extend(check())
        except Exception as exc:  # noqa: BLE001 - a checker bug must not hide the other problems
            problems.append(problem_from_exception(exc, {}, source))
    try:  # last: SpiffWorkflow's parser rewrites parts of the tree
        build_specs_from_trees(bpmn_root, dmn_roots, source=source, process_id=process_id)
    except DefinitionError as exc:
        problems.extend(exc.problems)
    except Exception as exc:  # noqa: BLE001
        problems.append(problem_from_exception(exc, {}, source))
    return list(dict.fromkeys(problems))
