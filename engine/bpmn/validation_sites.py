"""Find every script and expression in an uploaded BPMN/DMN and check it compiles in the sandbox.

Why: SpiffWorkflow compiles scripts, conditions and timers only when they run, so a typo or a
forbidden construct would surface in the middle of someone's case. The upload validator uses
this module to compile all of them up front (with `engine.bpmn.scripting`) and to check the timer
literals the way SpiffWorkflow will read them, each problem pointing at its element and line.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass

from lxml import etree

from engine.bpmn.parsing import Problem
from engine.bpmn.script_guards import MAX_LOOP_INSTANCES
from engine.bpmn.scripting import RestrictedSyntaxError, compile_expression, compile_script
from engine.bpmn.timer_values import TIMER_KINDS, timer_value_problem

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"
NS = {"bpmn": BPMN_NS, "spiffworkflow": SPIFF_NS}

# (xpath to the element holding the text, kind, label for messages)
_BPMN_TEXT_SITES: tuple[tuple[str, str, str], ...] = (
    (".//bpmn:scriptTask/bpmn:script", "script", "脚本"),
    (".//spiffworkflow:preScript", "script", "前置脚本"),
    (".//spiffworkflow:postScript", "script", "后置脚本"),
    (".//bpmn:conditionExpression", "expression", "条件"),
    (".//bpmn:conditionalEventDefinition/bpmn:condition", "expression", "条件"),
    (".//bpmn:timerEventDefinition/bpmn:timeDate", "timeDate", "定时器时间点"),
    (".//bpmn:timerEventDefinition/bpmn:timeDuration", "timeDuration", "定时器持续时间"),
    (".//bpmn:timerEventDefinition/bpmn:timeCycle", "timeCycle", "定时器循环"),
    (".//bpmn:multiInstanceLoopCharacteristics/bpmn:loopCardinality", "cardinality", "多实例数量"),
    (".//bpmn:multiInstanceLoopCharacteristics/bpmn:completionCondition", "expression", "多实例完成条件"),
    (".//bpmn:standardLoopCharacteristics/bpmn:loopCondition", "expression", "循环条件"),
    (".//spiffworkflow:messagePayload", "expression", "消息内容"),
    (".//spiffworkflow:payloadExpression", "expression", "消息内容表达式"),
    (".//spiffworkflow:processVariableCorrelation/spiffworkflow:expression", "expression", "消息关联"),
    (".//bpmn:correlationPropertyRetrievalExpression/bpmn:formalExpression", "expression", "消息关联"),
    (".//bpmn:correlationPropertyRetrievalExpression/bpmn:messagePath", "expression", "消息关联"),
)
_BPMN_ATTRIBUTE_SITES: tuple[tuple[str, str, str], ...] = (
    (".//spiffworkflow:property[@name='dueAt']", "expression", "dueAt"),
    (".//spiffworkflow:property[@name='returnedLapseAt']", "expression", "returnedLapseAt"),
    (".//spiffworkflow:serviceTaskOperator//spiffworkflow:parameter[@value]", "expression", "服务参数"),
)
_DMN_SITES: tuple[tuple[str, str, str], ...] = (
    (".//*[local-name()='inputExpression']/*[local-name()='text']", "expression", "DMN 输入表达式"),
    (".//*[local-name()='inputEntry']/*[local-name()='text']", "dmn_input", "DMN 输入条目"),
    (".//*[local-name()='outputEntry']/*[local-name()='text']", "expression", "DMN 输出条目"),
)


@dataclass(frozen=True)
class Site:
    """One piece of code in a diagram: what it is, its text, and where it sits."""

    kind: str
    label: str
    text: str
    element_id: str | None
    line: int | None


def _owner_id(element: etree._Element) -> str | None:
    """The id a diagram author recognises: the task, flow or event, not its inner definition."""
    for node in (element, *element.iterancestors()):
        local = etree.QName(node).localname
        if node.get("id") and not local.endswith(("EventDefinition", "LoopCharacteristics")):
            return node.get("id")
    return None


def bpmn_sites(root: etree._Element) -> Iterator[Site]:
    for path, kind, label in _BPMN_TEXT_SITES:
        for element in root.xpath(path, namespaces=NS):
            if element.text and element.text.strip():
                yield Site(kind, label, element.text, _owner_id(element.getparent()), element.sourceline)
    for path, kind, label in _BPMN_ATTRIBUTE_SITES:
        for element in root.xpath(path, namespaces=NS):
            value = element.get("value") or ""
            if value.strip():
                yield Site(kind, label, value, _owner_id(element.getparent()), element.sourceline)


def dmn_sites(root: etree._Element) -> Iterator[Site]:
    for path, kind, label in _DMN_SITES:
        for element in root.xpath(path):
            text = element.text or ""
            if text.strip() and text.strip() != "-":
                yield Site(kind, label, text, _owner_id(element.getparent()), element.sourceline)


def _outside_quotes_question_marks(text: str) -> str:
    """DMN's `?` placeholder, replaced the way SpiffWorkflow's DMN engine does (not inside quotes)."""
    out, quote = [], None
    for char in text:
        if quote:
            quote = None if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char == "?":
            out.append("dmninputexpr")
            continue
        out.append(char)
    return "".join(out)


def _compile_dmn_input(text: str) -> None:
    """A DMN input cell is `"value"`, `? in (...)` or an operator tail such as `< 5`."""
    text = text.strip()
    replaced = _outside_quotes_question_marks(text)
    if replaced != text:
        compile_expression(replaced)
        return
    try:
        compile_expression(text)
    except SyntaxError as direct:
        try:
            compile_expression("v " + text)
        except RestrictedSyntaxError as second:
            raise (direct if isinstance(direct, RestrictedSyntaxError) else second) from None
        except SyntaxError:
            raise direct from None


def _cardinality_problem(text: str) -> str | None:
    body = ast.parse(text.strip(), mode="eval").body
    if isinstance(body, ast.Constant) and isinstance(body.value, int) and body.value > MAX_LOOP_INSTANCES:
        return f"多实例数量 {body.value} 超过上限 {MAX_LOOP_INSTANCES}"
    return None
_ISO_LOOKING = re.compile(r"^(R\d*/|P|\d{4}-)", re.IGNORECASE)


def _timer_problem(kind: str, text: str) -> str | None:
    """Timers are Python expressions: check plain string literals as SpiffWorkflow will read them."""
    body = ast.parse(text.strip(), mode="eval").body
    if isinstance(body, ast.Name) and _ISO_LOOKING.match(body.id):
        return f'定时器须写成带引号的文本："{body.id}"'
    if not isinstance(body, ast.Constant):
        return None  # computed at run time
    if not isinstance(body.value, str):
        return '定时器表达式须给出文本，如 "P5D"'
    try:
        return timer_value_problem(kind, body.value)
    except Exception:  # noqa: BLE001 - SpiffWorkflow raises bare Exception, ValueError, AttributeError
        return f"'{body.value}' 不是有效的 ISO-8601 {kind} 值"


def site_problems(site: Site, prefix: str = "") -> list[Problem]:
    """Compile one site in the sandbox; SyntaxErrors become Problems at the right file line."""
    try:
        if site.kind == "script":
            compile_script(site.text)
        elif site.kind == "dmn_input":
            _compile_dmn_input(site.text)
        else:
            compile_expression(site.text)
    except SyntaxError as exc:
        lineno = exc.lineno if isinstance(exc.lineno, int) and exc.lineno > 0 else 1
        where = f"（脚本第 {lineno} 行）" if "\n" in site.text.strip() else ""
        line = site.line + lineno - 1 if site.line else None
        return [Problem(f"{prefix}{site.label}：{exc.msg}{where}", site.element_id, line, code="script")]
    if site.kind in TIMER_KINDS:
        message = _timer_problem(site.kind, site.text)
        if message:
            return [Problem(f"{prefix}{site.label}：{message}", site.element_id, site.line, code="timer")]
    if site.kind == "cardinality" and (message := _cardinality_problem(site.text)):
        return [Problem(f"{prefix}{message}", site.element_id, site.line, code="multi_instance")]
    return []


def expression_problems(bpmn_root: etree._Element, dmn_roots: dict[str, etree._Element]) -> list[Problem]:
    """Problems of every script, condition, timer and DMN cell, in document order."""
    problems = [p for site in bpmn_sites(bpmn_root) for p in site_problems(site)]
    for name, dmn_root in dmn_roots.items():
        problems.extend(p for site in dmn_sites(dmn_root) for p in site_problems(site, f"{name}："))
    return problems
