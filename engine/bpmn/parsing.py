"""Turn uploaded BPMN/DMN bytes into SpiffWorkflow specs, or into a list of problems.

Why: SpiffWorkflow fails on bad diagrams in many ways (ValidationException, KeyError, IndexError,
AttributeError, bare Exception) and reads XML with an unsafe parser. Here every document goes
through `engine.bpmn.xmlsafe.parse_xml`, is checked against SpiffWorkflow's own XSDs (all errors, not
just the last), and every failure becomes a `Problem` naming the element and source line.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnValidator
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.specs.bpmn_process_spec import BpmnProcessSpec
from SpiffWorkflow.dmn.parser.BpmnDmnParser import SCHEMAS as DMN_SCHEMAS
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser

from engine.bpmn.runtime_caps import cap_loop_inputs
from engine.bpmn.xmlsafe import XmlError, XmlSyntaxError, parse_xml

__all__ = ["DefinitionError", "ParsedDefinition", "Problem", "build_specs", "build_specs_from_trees", "element_lines"]

MAX_SCHEMA_PROBLEMS = 20
_ELEMENT_REPR = re.compile(r"<Element \{[^}]*\}(\w+) at 0x[0-9a-f]+>")
_SCHEMA_LOCK = threading.Lock()  # lxml validators keep an error log: one validation at a time


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an uploaded definition, located as precisely as we can."""

    message: str
    element_id: str | None = None
    line: int | None = None
    code: str = "invalid"

    def __str__(self) -> str:
        where = []
        if self.line is not None:
            where.append(f"第 {self.line} 行")
        if self.element_id:
            where.append(f"元素 {self.element_id}")
        return f"{'，'.join(where)}：{self.message}" if where else self.message


class DefinitionError(Exception):
    """The definition cannot be deployed; `problems` says why."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


@dataclass
class ParsedDefinition:
    """The executable process of an upload and the specs of everything it calls."""

    process_id: str
    name: str
    spec: BpmnProcessSpec
    subprocess_specs: dict[str, BpmnProcessSpec] = field(default_factory=dict)


def element_lines(root: etree._Element) -> dict[str, int]:
    """Element id -> source line, for messages that point into the file."""
    lines: dict[str, int] = {}
    for element in root.iter():
        if isinstance(element.tag, str):
            element_id = element.get("id")
            if element_id and element.sourceline and element_id not in lines:
                lines[element_id] = element.sourceline
    return lines


def xml_problem(exc: XmlError) -> Problem:
    line = exc.line if isinstance(exc, XmlSyntaxError) else None
    return Problem(exc.message, line=line, code=exc.code)


def _traceback_element(exc: BaseException) -> etree._Element | None:
    """The XML node SpiffWorkflow was working on when it failed (innermost frame that has one)."""
    found = None
    tb = exc.__traceback__
    while tb is not None:
        local = tb.tb_frame.f_locals
        for candidate in (local.get("node"), getattr(local.get("self"), "node", None)):
            if isinstance(candidate, etree._Element) and candidate.get("id"):
                found = candidate
                break
        tb = tb.tb_next
    return found


_EXPLANATIONS: dict[type[BaseException], str] = {
    KeyError: "缺少必需的属性或引用",
    IndexError: "缺少应有的元素",
    AttributeError: "元素不完整或格式错误",
    TypeError: "元素不完整或格式错误",
}


def problem_from_exception(exc: BaseException, lines: dict[str, int], source: str) -> Problem:
    """Explain any SpiffWorkflow parse failure as a Problem, never as a traceback."""
    if isinstance(exc, ValidationException):
        detail = _ELEMENT_REPR.sub(r"bpmn:\1", str(exc.args[0])) if exc.args else ""
        message = f"流程图无效：{detail}" if detail else "流程图无效"
        element_id = exc.id or None
        line = exc.line_number if isinstance(exc.line_number, int) and exc.line_number > 0 else None
        return Problem(message, element_id, line or lines.get(element_id or ""), code="parse")
    if isinstance(exc, etree.XMLSyntaxError):
        return Problem(f"{source}：XML 格式不正确：{exc.msg}", line=exc.lineno or None, code="xml_syntax")
    if isinstance(exc, XmlError):
        return xml_problem(exc)
    explanation = next((text for kind, text in _EXPLANATIONS.items() if isinstance(exc, kind)),
                       "无法处理流程图")
    detail = str(exc)[:200]
    element = _traceback_element(exc)
    element_id = element.get("id") if element is not None else None
    line = element.sourceline if element is not None else None
    return Problem(f"{explanation}（{type(exc).__name__}: {detail}）", element_id, line, code="parse")


@lru_cache(maxsize=8)
def _dmn_validator(schema_path: str) -> BpmnValidator:
    return BpmnValidator(schema_path)


def _schema_problems(root: etree._Element, validator: BpmnValidator, what: str) -> list[Problem]:
    by_line = {line: element_id for element_id, line in reversed(element_lines(root).items())}
    with _SCHEMA_LOCK:
        if validator is VALIDATOR:
            validator.preprocess(root)
        valid = validator.validator.validate(root)
        errors = [] if valid else list(validator.validator.error_log)
    return [
        Problem(f"{what} 不符合 XML 架构（XSD）：{error.message}", by_line.get(error.line), error.line or None,
                code="schema")
        for error in errors[:MAX_SCHEMA_PROBLEMS]
    ]


def _add_dmn(parser: SpiffBpmnParser, root: etree._Element, name: str) -> list[Problem]:
    namespace = etree.QName(root).namespace
    schema = DMN_SCHEMAS.get(namespace or "")
    if schema is None:
        return [Problem(f"{name}：不是本引擎支持的 DMN 文档（命名空间 {namespace}）", code="schema")]
    problems = _schema_problems(root, _dmn_validator(schema), name)
    lines = element_lines(root)
    try:
        before = set(parser.dmn_parsers)
        parser.add_dmn_xml(root, filename=name)
        for decision_id in set(parser.dmn_parsers) - before:
            parser.dmn_parsers[decision_id].parse()
    except Exception as exc:  # noqa: BLE001 - every failure becomes a problem
        problems.append(problem_from_exception(exc, lines, name))
    return problems


def _choose_process(parser: SpiffBpmnParser, root: etree._Element, process_id: str | None) -> tuple[str | None, list[Problem]]:
    executable = parser.get_process_ids()
    if process_id is not None:
        if process_id in executable:
            return process_id, []
        return None, [Problem(f"没有可执行的流程 '{process_id}'", code="no_process")]
    # Processes that a call activity calls are helpers of the main one, not candidates.
    candidates = [pid for pid in executable if pid not in parser.get_process_dependencies()]
    if len(candidates) == 1:
        return candidates[0], []
    if not candidates:
        found = [p.get("id") for p in root.iter("{http://www.omg.org/spec/BPMN/20100524/MODEL}process")]
        detail = f"（流程 {'、'.join(map(str, found))} 标记为 isExecutable=\"false\"）" if found else ""
        return None, [Problem(f"流程图中没有可执行的流程{detail}", code="no_process")]
    return None, [Problem(f"有多个可执行的流程（{'、'.join(candidates)}）：每个文件只部署一个", code="no_process")]


def build_specs_from_trees(
    bpmn_root: etree._Element, dmn_roots: Sequence[etree._Element] | Mapping[str, etree._Element] = (), *,
    source: str = "upload", process_id: str | None = None,
) -> ParsedDefinition:
    """Like `build_specs`, for trees that `parse_xml` already produced (the validator's path).

    `dmn_roots` may map a name for messages to each DMN tree.
    """
    lines = element_lines(bpmn_root)
    problems = _schema_problems(bpmn_root, VALIDATOR, source)
    parser = SpiffBpmnParser()
    named = dmn_roots.items() if isinstance(dmn_roots, Mapping) else (
        (f"{source} DMN {index + 1}", root) for index, root in enumerate(dmn_roots))
    for name, dmn_root in named:
        problems.extend(_add_dmn(parser, dmn_root, name))
    try:
        parser.add_bpmn_xml(bpmn_root, filename=source)
    except Exception as exc:  # noqa: BLE001
        raise DefinitionError([*problems, problem_from_exception(exc, lines, source)]) from None
    chosen, choice_problems = _choose_process(parser, bpmn_root, process_id)
    problems.extend(choice_problems)
    result = None
    if chosen is not None:
        try:
            spec = parser.get_spec(chosen)
            subprocess_specs = parser.get_subprocess_specs(chosen)
            name = parser.get_process_parser(chosen).get_name()
            result = ParsedDefinition(chosen, name, spec, subprocess_specs)
            cap_loop_inputs([spec, *subprocess_specs.values()])
        except Exception as exc:  # noqa: BLE001
            problems.append(problem_from_exception(exc, lines, source))
    for other in parser.get_process_ids():
        if other != chosen:
            try:
                parser.get_spec(other)
            except Exception as exc:  # noqa: BLE001
                problems.append(problem_from_exception(exc, lines, source))
    if problems or result is None:
        raise DefinitionError(_unique(problems) or [Problem("无法生成流程", code="parse")])
    return result


def _unique(problems: list[Problem]) -> list[Problem]:
    return list(dict.fromkeys(problems))


def parse_or_report(data: Any, source: str, problems: list[Problem]) -> etree._Element | None:
    """The safe XML tree of one upload file, or None with its problem added to `problems`, so
    every file of an upload is reported together."""
    try:
        return parse_xml(data, source=source)
    except XmlError as exc:
        problems.append(xml_problem(exc))
        return None


def build_specs(
    bpmn: bytes, dmn: Sequence[bytes] = (), *, source: str = "upload", process_id: str | None = None
) -> ParsedDefinition:
    """Parse an upload into the specs to run; raises `DefinitionError` listing every problem.

    Exactly one executable process is expected (processes only reached through call activities
    do not count) unless `process_id` names one.
    """
    problems: list[Problem] = []
    bpmn_root = parse_or_report(bpmn, source, problems)
    dmn_roots = [root for index, data in enumerate(dmn)
                 if (root := parse_or_report(data, f"{source} DMN {index + 1}", problems)) is not None]
    if problems or bpmn_root is None:
        raise DefinitionError(problems)
    return build_specs_from_trees(bpmn_root, dmn_roots, source=source, process_id=process_id)
