"""The upload validator reports every problem together, located, and never raises; the script
sandbox's compile-time checks through every site."""

import time
from xml.sax.saxutils import escape

import pytest
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

from engine.bpmn.parsing import DefinitionError, ParsedDefinition, build_specs
from engine.bpmn.scripting import ScriptError, ScriptTimeout, make_script_engine
from engine.bpmn.validation import Problem, validate_definition

FORM = {"type": "object", "properties": {"decision": {"type": "string", "enum": ["approve", "reject"]}}}
FORMS = {"tiny_review.json": FORM}

TINY = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="Defs" targetNamespace="http://cwflow">
  <bpmn:collaboration id="Collab"><bpmn:participant id="Participant" processRef="tiny" /></bpmn:collaboration>
  <bpmn:process id="tiny" name="Tiny review" isExecutable="true">
    <bpmn:laneSet id="LaneSet">
      <bpmn:lane id="Lane_hr" name="street_hr">
        <bpmn:flowNodeRef>start</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>review</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>compute</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>decide</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>end_ok</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>end_no</bpmn:flowNodeRef>
      </bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="review" name="Review">
      <bpmn:extensionElements>
        <spiffworkflow:properties>
          <spiffworkflow:property name="formJsonSchemaFilename" value="tiny_review.json" />
          <spiffworkflow:property name="dueInDays" value="5" />
        </spiffworkflow:properties>
      </bpmn:extensionElements>
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:scriptTask id="compute" name="Compute">
      <bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing>
      <bpmn:script>approved = tiny_review["decision"] == "approve"
days = sum([1, 2, 3]) * 2</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:exclusiveGateway id="decide" default="f_no">
      <bpmn:incoming>f3</bpmn:incoming><bpmn:outgoing>f_ok</bpmn:outgoing><bpmn:outgoing>f_no</bpmn:outgoing>
    </bpmn:exclusiveGateway>
    <bpmn:endEvent id="end_ok"><bpmn:incoming>f_ok</bpmn:incoming></bpmn:endEvent>
    <bpmn:endEvent id="end_no"><bpmn:incoming>f_no</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="review" />
    <bpmn:sequenceFlow id="f2" sourceRef="review" targetRef="compute" />
    <bpmn:sequenceFlow id="f3" sourceRef="compute" targetRef="decide" />
    <bpmn:sequenceFlow id="f_ok" sourceRef="decide" targetRef="end_ok">
      <bpmn:conditionExpression>approved and days == 12</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f_no" sourceRef="decide" targetRef="end_no" />
  </bpmn:process>
</bpmn:definitions>
"""

# ---- one diagram per expression site; the site's element id is always "target" -----------------

SITE_HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="Defs" targetNamespace="http://cwflow">
  <bpmn:process id="sites" isExecutable="true">
    <bpmn:laneSet id="LaneSet">
      <bpmn:lane id="Lane_hr" name="街道人事">
        <bpmn:flowNodeRef>start</bpmn:flowNodeRef><bpmn:flowNodeRef>NODE</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>end</bpmn:flowNodeRef>
      </bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="NODE" />
    <bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
"""
IO = "<bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>"
TO_END = '<bpmn:sequenceFlow id="f2" sourceRef="target" targetRef="end" />'
SITE_BODIES = {
    "script task": f'<bpmn:scriptTask id="target">{IO}<bpmn:script>PAYLOAD</bpmn:script></bpmn:scriptTask>{TO_END}',
    "preScript": f'<bpmn:task id="target"><bpmn:extensionElements><spiffworkflow:preScript>PAYLOAD'
    f"</spiffworkflow:preScript></bpmn:extensionElements>{IO}</bpmn:task>{TO_END}",
    "postScript": f'<bpmn:task id="target"><bpmn:extensionElements><spiffworkflow:postScript>PAYLOAD'
    f"</spiffworkflow:postScript></bpmn:extensionElements>{IO}</bpmn:task>{TO_END}",
    "gateway condition": '<bpmn:exclusiveGateway id="gate" default="f2"><bpmn:incoming>f1</bpmn:incoming>'
    '<bpmn:outgoing>target</bpmn:outgoing><bpmn:outgoing>f2</bpmn:outgoing></bpmn:exclusiveGateway>'
    '<bpmn:sequenceFlow id="target" sourceRef="gate" targetRef="end">'
    "<bpmn:conditionExpression>PAYLOAD</bpmn:conditionExpression></bpmn:sequenceFlow>"
    '<bpmn:sequenceFlow id="f2" sourceRef="gate" targetRef="end" />',
    "timer expression": f'<bpmn:intermediateCatchEvent id="target">{IO}<bpmn:timerEventDefinition id="Timer_1">'
    '<bpmn:timeDuration xsi:type="bpmn:tFormalExpression">PAYLOAD</bpmn:timeDuration>'
    f"</bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>{TO_END}",
    "loopCardinality": f'<bpmn:scriptTask id="target">{IO}<bpmn:multiInstanceLoopCharacteristics>'
    '<bpmn:loopCardinality xsi:type="bpmn:tFormalExpression">PAYLOAD</bpmn:loopCardinality>'
    f"</bpmn:multiInstanceLoopCharacteristics><bpmn:script>done = True</bpmn:script></bpmn:scriptTask>{TO_END}",
    "DMN cell": '<bpmn:businessRuleTask id="target"><bpmn:extensionElements><spiffworkflow:calledDecisionId>'
    f"decide</spiffworkflow:calledDecisionId></bpmn:extensionElements>{IO}</bpmn:businessRuleTask>{TO_END}",
}
SITE_TAIL = "  </bpmn:process>\n</bpmn:definitions>\n"
DMN = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="DRD" name="DRD" namespace="http://cwflow">
  <decision id="decide" name="decide">
    <decisionTable id="table">
      <input id="in_1" label="Degree">
        <inputExpression id="in_expr" typeRef="string"><text>degree</text></inputExpression>
      </input>
      <output id="out_1" label="Result" name="result" typeRef="string" />
      <rule id="rule_1">
        <inputEntry id="cell_in"><text>INPUT</text></inputEntry>
        <outputEntry id="cell_out"><text>OUTPUT</text></outputEntry>
      </rule>
      <rule id="rule_2">
        <inputEntry id="cell_in_2"><text>-</text></inputEntry>
        <outputEntry id="cell_out_2"><text>"other"</text></outputEntry>
      </rule>
    </decisionTable>
  </decision>
</definitions>
"""
SITES = list(SITE_BODIES)
LEGIT = {
    "script task": "x = 1", "preScript": "x = 1", "postScript": "x = 1",
    "gateway condition": "degree == '本科'", "timer expression": '"PT0S"', "loopCardinality": "2",
    "DMN cell": '"ok"',
}


def site_diagram(site: str, payload: str, *, dmn_cell: str = "OUTPUT") -> tuple[bytes, list[bytes]]:
    """BPMN (and, for the DMN cell, a DMN table) with `payload` placed at one expression site."""
    node = "gate" if site == "gateway condition" else "target"
    bpmn = SITE_HEAD.replace("NODE", node) + SITE_BODIES[site] + SITE_TAIL
    if site == "DMN cell":
        cells = {"INPUT": '? in ("本科", "硕士")', "OUTPUT": '"ok"', dmn_cell: escape(payload)}
        dmn = DMN.replace("INPUT", cells["INPUT"]).replace("OUTPUT", cells["OUTPUT"])
        return bpmn.replace("PAYLOAD", "").encode(), [dmn.encode()]
    return bpmn.replace("PAYLOAD", escape(payload)).encode(), []


def run(definition: ParsedDefinition, *, time_limit: float = 3.0, data: dict | None = None) -> BpmnWorkflow:
    """Run a workflow to its end, completing manual tasks as they come."""
    workflow = BpmnWorkflow(definition.spec, definition.subprocess_specs,
                            script_engine=make_script_engine(time_limit=time_limit))
    workflow.get_tasks()[0].data.update(data or {"degree": "本科"})
    for _ in range(10):
        workflow.do_engine_steps()
        workflow.refresh_timers()
        workflow.do_engine_steps()
        for task in workflow.get_tasks(state=TaskState.READY, manual=True):
            task.run()
        if workflow.is_completed():
            break
    return workflow


def causes(exc: BaseException) -> list[type]:
    found = []
    while exc is not None:
        found.append(type(exc))
        exc = exc.__cause__ or exc.__context__
    return found


# ---- the tiny diagram --------------------------------------------------------------------------


def test_the_tiny_diagram_validates_and_runs_under_the_restricted_engine():
    assert validate_definition(TINY.encode(), [], FORMS, source="tiny.bpmn") == []
    definition = build_specs(TINY.encode(), source="tiny.bpmn")
    assert (definition.process_id, definition.name) == ("tiny", "Tiny review")
    workflow = BpmnWorkflow(definition.spec, definition.subprocess_specs, script_engine=make_script_engine())
    workflow.do_engine_steps()
    [review] = workflow.get_tasks(state=TaskState.READY, manual=True)
    assert review.task_spec.lane == "street_hr"
    assert review.task_spec.extensions["properties"]["formJsonSchemaFilename"] == "tiny_review.json"
    review.set_data(tiny_review={"decision": "approve"})
    review.run()
    workflow.do_engine_steps()
    assert workflow.is_completed()
    assert workflow.data == {"tiny_review": {"decision": "approve"}, "approved": True, "days": 12}
    finished = {t.task_spec.name for t in workflow.get_tasks(state=TaskState.COMPLETED)}
    assert "end_ok" in finished and "end_no" not in finished


@pytest.mark.parametrize("site", SITES)
def test_legitimate_code_at_every_site_validates_and_runs(site):
    bpmn, dmn = site_diagram(site, LEGIT[site])
    assert validate_definition(bpmn, dmn, {}, source="sites.bpmn") == []
    assert run(build_specs(bpmn, dmn, source="sites.bpmn")).is_completed()


def test_a_dmn_table_with_python_cells_decides():
    bpmn, dmn = site_diagram("DMN cell", '"matched"')
    definition = build_specs(bpmn, dmn, source="sites.bpmn")
    assert run(definition, data={"degree": "硕士"}).last_task.data["result"] == "matched"
    assert run(definition, data={"degree": "大专"}).last_task.data["result"] == "other"


# ---- escapes through every site ----------------------------------------------------------------

COMPILE_TIME = [
    "import os", "__import__('os')", "open('/etc/passwd')", "().__class__.__bases__[0].__subclasses__()",
    "getattr(x, '__cl'+'ass__')", "'{0.__class__}'.format(1)", "eval('1')", "exec('x=1')", "globals()",
    "type(1)",
]
RUN_TIME = ["10**10**10", "'x'*10**10", "[1]*10**9", "1<<10**8"]
SCRIPT_SITES = ("script task", "preScript", "postScript")


# A loop is valid script code (the deadline stops it), but no expression at all.
COMPILE_TIME_CASES = [(site, payload) for site in SITES for payload in COMPILE_TIME] + [
    (site, "while True: pass") for site in SITES if site not in SCRIPT_SITES
]


@pytest.mark.parametrize(("site", "payload"), COMPILE_TIME_CASES)
def test_escapes_detectable_at_compile_time_are_refused_at_upload(site, payload):
    bpmn, dmn = site_diagram(site, payload)
    problems = validate_definition(bpmn, dmn, {}, source="sites.bpmn")
    expected_id = "cell_out" if site == "DMN cell" else "target"
    located = [p for p in problems if p.code == "script" and p.element_id == expected_id]
    assert located, problems
    assert all(isinstance(p.line, int) for p in located)


@pytest.mark.parametrize("payload", COMPILE_TIME)
def test_escapes_in_a_dmn_input_cell_are_refused_at_upload(payload):
    bpmn, dmn = site_diagram("DMN cell", payload, dmn_cell="INPUT")
    problems = validate_definition(bpmn, dmn, {}, source="sites.bpmn")
    assert any(p.code == "script" and p.element_id == "cell_in" for p in problems), problems


@pytest.mark.parametrize("payload", RUN_TIME + ["len([i for i in range(10**6) for j in range(10**6)])"])
@pytest.mark.parametrize("site", SITES)
def test_escapes_only_visible_at_run_time_are_stopped_quickly(without_static_check, site, payload):
    bpmn, dmn = site_diagram(site, payload)
    definition = build_specs(bpmn, dmn, source="sites.bpmn")
    started = time.monotonic()
    with pytest.raises(Exception) as caught:  # noqa: B017,PT011 - SpiffWorkflow wraps the cause
        run(definition, time_limit=0.5)
    assert time.monotonic() - started < 2.0
    assert ScriptError in causes(caught.value) or ScriptTimeout in causes(caught.value)


@pytest.mark.parametrize("site", SCRIPT_SITES)
def test_an_endless_script_is_stopped_at_every_script_site(site):
    definition = build_specs(*site_diagram(site, "while True:\n    pass"), source="sites.bpmn")
    started = time.monotonic()
    with pytest.raises(Exception) as caught:  # noqa: B017,PT011
        run(definition, time_limit=0.5)
    assert ScriptTimeout in causes(caught.value)
    assert time.monotonic() - started < 2.0


# ---- our rules, all reported together ----------------------------------------------------------


def broken_tiny() -> str:
    return (
        TINY.replace('name="street_hr"', 'name="nobody"')
        .replace('value="5"', 'value="soon"')
        .replace("approved and days == 12", "import os")
        .replace("days = sum([1, 2, 3]) * 2", "days = __import__('os')")
    )


def test_all_problems_are_reported_together_with_elements_and_lines():
    source = broken_tiny()
    problems = validate_definition(source.encode(), [], {}, source="tiny.bpmn")
    by_code = {p.code: p for p in problems}
    assert {"lane", "form", "due", "script"} <= set(by_code)
    lines = source.splitlines()

    def line_of(fragment: str) -> int:
        return next(i for i, text in enumerate(lines, 1) if fragment in text)

    assert Problem("泳道 'nobody' 不是已知角色", "Lane_hr", line_of('id="Lane_hr"'), "lane") in problems
    assert any(p.element_id == "review" and "tiny_review.json" in p.message for p in problems)
    assert any(p.element_id == "review" and p.code == "due" and "soon" in p.message for p in problems)
    script = next(p for p in problems if p.element_id == "compute")
    assert script.line == line_of("__import__") and "（脚本第 2 行）" in script.message
    condition = next(p for p in problems if p.element_id == "f_ok")
    assert condition.line == line_of("import os") and "不允许 import" in condition.message


def test_a_user_task_outside_any_lane_is_a_problem():
    source = TINY.replace("<bpmn:flowNodeRef>review</bpmn:flowNodeRef>", "")
    problems = validate_definition(source.encode(), [], FORMS, source="tiny.bpmn")
    assert [(p.code, p.element_id) for p in problems] == [("lane", "review")]
    assert problems[0].message == "任务不在任何泳道中，没有人会收到它"


def test_a_chinese_lane_name_is_a_role():
    source = TINY.replace('name="street_hr"', 'name="街道人事"')
    assert validate_definition(source.encode(), [], FORMS, source="tiny.bpmn") == []


@pytest.mark.parametrize(
    ("form", "reason"),
    [
        ({"type": "array"}, '表单 \'tiny_review.json\' 须为 "type": "object" 的 JSON Schema'),
        ({"type": "object", "properties": {"x": {"type": "no-such-type"}}}, "表单 'tiny_review.json' 不是有效的 JSON Schema："),
        (["not", "a", "schema"], "表单 'tiny_review.json' 不是 JSON 对象"),
    ],
)
def test_a_form_must_be_a_json_schema_of_an_object(form, reason):
    problems = validate_definition(TINY.encode(), [], {"tiny_review.json": form}, source="tiny.bpmn")
    assert [p.element_id for p in problems] == ["review"] and reason in problems[0].message


def test_a_user_task_without_a_form_property_is_a_problem():
    source = TINY.replace('name="formJsonSchemaFilename"', 'name="somethingElse"')
    problems = validate_definition(source.encode(), [], FORMS, source="tiny.bpmn")
    assert [(p.code, p.element_id) for p in problems] == [("form", "review")]
    assert problems[0].message == "用户任务未指定表单（属性 formJsonSchemaFilename）"


@pytest.mark.parametrize(
    ("properties", "ok"),
    [
        ('name="dueInDays" value="5"', True),
        ('name="dueInWorkingDays" value="publicity_working_days"', True),
        ('name="dueInDays" value="resignation_decision_days"', True),
        ('name="dueInDays" value="0"', False),
        ('name="dueInDays" value="-3"', False),
        ('name="dueInWorkingDays" value="no_such_policy"', False),
        ('name="dueInDays" value="staffing_standard"', False),
        ('name="dueAt" value="add_days(today(), 3)"', True),
        ('name="dueAt" value="__import__(\'os\')"', False),
        ('name="dueAt" value="&quot;2025-03-01&quot; +"', False),
    ],
)
def test_due_properties(properties, ok):
    source = TINY.replace('name="dueInDays" value="5"', properties)
    problems = validate_definition(source.encode(), [], FORMS, source="tiny.bpmn")
    assert (problems == []) is ok, problems
    assert all(p.element_id == "review" for p in problems)


def test_only_one_due_property_per_task():
    source = TINY.replace(
        '<spiffworkflow:property name="dueInDays" value="5" />',
        '<spiffworkflow:property name="dueInDays" value="5" /><spiffworkflow:property name="dueAt" value="x" />',
    )
    problems = validate_definition(source.encode(), [], FORMS, source="tiny.bpmn")
    assert [p.code for p in problems] == ["due"]
    assert problems[0].message == "只能设置 dueInDays、dueAt 中的一个"


@pytest.mark.parametrize(
    ("properties", "message"),
    [
        ('name="dueInDays" value="0"', "dueInDays 至少为 1"),
        ('name="dueInWorkingDays" value="no_such_policy"',
         "dueInWorkingDays 须为正整数或 config/policy.py 中的政策参数名，而不是 'no_such_policy'"),
        ('name="dueInDays" value="staffing_standard"', "dueInDays：政策参数 'staffing_standard' 不是天数"),
    ],
)
def test_a_wrong_due_property_says_what_is_expected(properties, message):
    source = TINY.replace('name="dueInDays" value="5"', properties)
    problems = validate_definition(source.encode(), [], FORMS, source="tiny.bpmn")
    assert [(p.code, p.element_id, p.message) for p in problems] == [("due", "review", message)]


@pytest.mark.parametrize(
    ("kind", "expression", "ok"),
    [
        ("timeDuration", '"P5D"', True),
        ("timeDuration", '"PT2H30M"', True),
        ("timeDuration", "P5D", False),  # not quoted: would be a NameError at run time
        ("timeDuration", '"P5X"', False),
        ("timeDuration", '"P99999999Y"', False),
        ("timeDuration", "5", False),
        ("timeDuration", 'f"P{days}D"', True),  # computed: checked when it runs
        ("timeDate", '"2025-03-01T09:00:00+08:00"', True),
        ("timeDate", '"2025-03-01T09:00:00"', False),  # no time zone
        ("timeDate", '"tomorrow"', False),
        ("timeDate", '"P5D"', False),
        ("timeCycle", '"R3/PT1H"', True),
        ("timeCycle", '"R3/2025-03-01T09:00:00+08:00/P1D"', True),
        ("timeCycle", '"R3/2025-03-01T09:00:00+08:00"', False),
        ("timeCycle", '"R/P99999Y"', False),
    ],
)
def test_timer_literals_are_read_the_way_spiffworkflow_reads_them(kind, expression, ok):
    bpmn, _ = site_diagram("timer expression", "X")
    bpmn = bpmn.replace(b"timeDuration", kind.encode()).replace(b">X<", f">{escape(expression)}<".encode())
    problems = validate_definition(bpmn, [], {}, source="sites.bpmn")
    assert (problems == []) is ok, problems
    assert all(p.element_id == "target" for p in problems)


@pytest.mark.parametrize(
    ("kind", "expression", "message"),
    [
        ("timeDuration", "P5D", '定时器持续时间：定时器须写成带引号的文本："P5D"'),
        ("timeDuration", "5", '定时器持续时间：定时器表达式须给出文本，如 "P5D"'),
        ("timeDuration", '"P5X"', "定时器持续时间：'P5X' 不是有效的 ISO-8601 timeDuration 值"),
        ("timeDuration", '"P99999999Y"', "定时器持续时间：持续时间超过 100 年"),
        ("timeDate", '"2025-03-01T09:00:00"', '定时器时间点：须注明时区，如 "2025-03-01T09:00:00+08:00"'),
        ("timeDate", '"P5D"', '定时器时间点：此处应为日期时间，如 "2025-03-01T09:00:00+08:00"'),
        ("timeCycle", '"R3/2025-03-01T09:00:00+08:00"', "定时器循环：循环须有且只有一个持续时间（开始或结束时间至多一个）"),
    ],
)
def test_a_wrong_timer_literal_says_what_is_expected(kind, expression, message):
    bpmn, _ = site_diagram("timer expression", "X")
    bpmn = bpmn.replace(b"timeDuration", kind.encode()).replace(b">X<", f">{escape(expression)}<".encode())
    problems = validate_definition(bpmn, [], {}, source="sites.bpmn")
    assert [(p.code, p.element_id, p.message) for p in problems] == [("timer", "target", message)]


def test_timer_validation_does_not_walk_a_huge_duration():
    bpmn, _ = site_diagram("timer expression", '"R/P999999999999Y"')
    started = time.monotonic()
    assert validate_definition(bpmn, [], {}, source="sites.bpmn")
    assert time.monotonic() - started < 1.0


# ---- unsafe and broken uploads -----------------------------------------------------------------


def test_an_unsafe_upload_is_one_problem_and_nothing_else():
    bomb = b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaa">]><d>&a;</d>'
    problems = validate_definition(bomb, [], FORMS, source="bomb.bpmn")
    assert [p.code for p in problems] == ["unsafe_xml"]
    assert problems[0].message == "bomb.bpmn：不允许 DOCTYPE 或 ENTITY 声明（可能是实体扩展攻击；不接受 DTD 和实体）"
    oversized = validate_definition(b"<a>" + b" " * 2_000_001 + b"</a>", [], {}, source="big.bpmn")
    assert [p.code for p in oversized] == ["unsafe_xml"]
    assert oversized[0].message == "big.bpmn：文件有 2000008 字节，超过上限 2000000 字节"


def test_an_unsafe_dmn_is_reported_with_the_diagram_problems():
    bpmn, _ = site_diagram("DMN cell", "")
    dmn = b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]><d>&x;</d>'
    problems = validate_definition(bpmn, [dmn], {}, source="sites.bpmn")
    assert problems[0].code == "unsafe_xml" and "DMN 1" in problems[0].message
    assert any(p.element_id == "target" and "DMN" in p.message for p in problems[1:])


def test_malformed_xml_gives_its_line():
    problems = validate_definition(b"<a>\n<b>\n</a>", [], {}, source="bad.bpmn")
    assert [(p.code, p.line) for p in problems] == [("xml_syntax", 3)]
    assert problems[0].message.startswith("bad.bpmn：XML 格式不正确：")


@pytest.mark.parametrize("bpmn", ["<not bytes/>", None, b"", b"\x89PNG\r\n\x1a\n\x00\x00"])
def test_garbage_never_raises(bpmn):
    problems = validate_definition(bpmn, [], {}, source="junk")
    assert problems and all(isinstance(p, Problem) for p in problems)


def test_a_dmn_rule_without_id_is_explained_not_a_traceback():
    """DMNParser reads rule ids with attrib['id']: a KeyError deep inside SpiffWorkflow."""
    bpmn, [dmn] = site_diagram("DMN cell", '"ok"')
    dmn = dmn.replace(b'<rule id="rule_1">', b"<rule>")
    problems = validate_definition(bpmn, [dmn], {}, source="sites.bpmn")
    assert any("KeyError" in p.message and "缺少必需的属性或引用" in p.message for p in problems), problems
    assert all("Traceback" not in str(p) for p in problems)


def test_a_dmn_without_decision_is_explained_not_a_traceback():
    """DMNParser indexes the first decision: an IndexError inside SpiffWorkflow."""
    bpmn, _ = site_diagram("DMN cell", '"ok"')
    dmn = b'<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="D" name="D" namespace="x"/>'
    problems = validate_definition(bpmn, [dmn], {}, source="sites.bpmn")
    assert any("IndexError" in p.message for p in problems), problems


def test_spiffworkflow_validation_errors_carry_element_and_line():
    source = TINY.replace('<bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>', "")
    problems = validate_definition(source.encode(), [], FORMS, source="tiny.bpmn")
    start = next(p for p in problems if "start event" in p.message.lower())
    assert start.element_id == "tiny" and start.line == 5


def test_a_diagram_without_executable_process_is_a_problem():
    source = TINY.replace('isExecutable="true"', 'isExecutable="false"')
    problems = validate_definition(source.encode(), [], FORMS, source="tiny.bpmn")
    assert [p.code for p in problems] == ["no_process"]
    assert problems[0].message == '流程图中没有可执行的流程（流程 tiny 标记为 isExecutable="false"）'
    with pytest.raises(DefinitionError) as caught:
        build_specs(source.encode(), source="tiny.bpmn")
    assert caught.value.problems == problems


def test_problem_reads_like_a_location_and_a_message():
    assert str(Problem("bad", "Activity_1", 42)) == "第 42 行，元素 Activity_1：bad"
    assert str(Problem("bad", "Activity_1")) == "元素 Activity_1：bad"
    assert str(Problem("bad", line=3)) == "第 3 行：bad"
    assert str(Problem("bad")) == "bad"
    with pytest.raises(AttributeError):
        Problem("bad").message = "changed"  # type: ignore[misc]


@pytest.mark.parametrize(("cardinality", "problem"), [
    ("500", None),
    ("501", ("multi_instance", "target", "多实例数量 501 超过上限 500")),
    ("100000", ("multi_instance", "target", "多实例数量 100000 超过上限 500")),
    ("n", None),  # computed: capped when it runs (tests/engine/test_runtime_caps.py)
])
def test_a_written_out_multi_instance_count_over_the_cap_is_refused_at_upload(cardinality, problem):
    bpmn, _ = site_diagram("loopCardinality", cardinality)
    problems = validate_definition(bpmn, [], {}, source="sites.bpmn")
    assert [(p.code, p.element_id, p.message) for p in problems] == ([problem] if problem else [])
