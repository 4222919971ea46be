"""Diagram scripts run restricted; escapes are refused at compile time or stopped at run time."""

import threading
import time
from functools import partial
from pathlib import Path

import pytest
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine

from engine.bpmn.scripting import (
    RestrictedEnvironment,
    RestrictedSyntaxError,
    ScriptError,
    ScriptTimeout,
    StepDeadline,
    compile_expression,
    compile_script,
    deadline,
    make_script_engine,
)

COMPILE_TIME_ESCAPES = [
    ("import os", "不允许 import"),
    ("from os import system", "不允许 import"),
    ("__import__('os')", '不允许以 "_" 开头的名称'),
    ("open('/etc/passwd')", "不允许调用 open()"),
    ("().__class__.__bases__[0].__subclasses__()", '不允许以 "_" 开头的属性'),
    ("getattr(x, '__cl'+'ass__')", "不允许调用 getattr()"),
    ("'{0.__class__}'.format(1)", "不允许 .format()"),
    ("'{a}'.format_map(d)", "不允许 .format_map()"),
    ("eval('1')", "不允许调用 eval()"),
    ("exec('x=1')", "不允许调用 exec()"),
    ("globals()", "不允许调用 globals()"),
    ("vars()", "不允许调用 vars()"),
    ("type(1)", "不允许调用 type()"),
    ("compile('1', 'f', 'eval')", "不允许调用 compile()"),
    ("print(1)", "脚本中不能使用 print"),
    ("x.gi_frame", "restricted name"),
    ("f'{1:{width}}'", "不允许计算出的格式说明"),
    ("f'{1:>999999999}'", "格式宽度过大"),
]
SCRIPT_ONLY_ESCAPES = [
    ("class A:\n    pass", "不允许定义类"),
    ("with x as y:\n    pass", "不允许 with 语句"),
    ("try:\n    pass\nexcept* Exception:\n    pass", "not allowed"),
]
RUN_TIME_REFUSALS = [
    "10**10**10",
    "'x'*10**10",
    "[1]*10**9",
    "1<<10**8",
    "10**5000",
    "'%999999999d' % 1",
    "'x'.ljust(10**9)",
    "'ab'.replace('', 'x'*1000000)",
    "','.join(['x'*1000000]*2)",
    "range(10**12)",
    "str([0]*1000000)",
    "['x'*1000000]*1000",
    "sum([[0]*1000]*2000, [])",
    "round(1, -10**8)",
    "(lambda l: [l.extend(l) for _ in range(30)])([1])",
]
SLOW_SCRIPTS = [
    "while True:\n    pass",
    "for i in range(10**6):\n    for j in range(10**6):\n        pass",
    "x = [i for i in range(10**6) for j in range(10**6)]",
    "def f():\n    try:\n        f()\n    except Exception:\n        f()\nf()",
    "while True:\n    try:\n        while True:\n            pass\n    except Exception:\n        pass",
    "def g():\n    while True:\n        yield 1\nx = sum(g())",
    "x = sorted(range(10**6), key=lambda v: [w for w in range(10**6)])",
]


@pytest.fixture
def env() -> RestrictedEnvironment:
    return RestrictedEnvironment({"double": lambda n: n * 2}, time_limit=0.5)


# ---- legitimate scripts ------------------------------------------------------------------------


def test_conditions_read_task_data_dicts(env):
    data = {"form": {"decision": "approve"}, "worker": {"flags": ["under_audit"], "status": "active"}}
    assert env.evaluate('form["decision"] == "approve"', data) is True
    assert env.evaluate('"under_audit" in worker.get("flags", [])', data) is True
    assert env.evaluate("sorted(worker.keys())", data) == ["flags", "status"]
    assert env.evaluate("len(list(worker.items())) + len(list(worker.values()))", data) == 4


def test_everyday_python_still_works(env):
    data = {"scores": [80, 90, 70], "name": "张三", "n": 3}
    assert env.evaluate("sum(scores) / len(scores)", data) == 80
    assert env.evaluate("max(scores) - min(scores)", data) == 20
    assert env.evaluate("[s * 2 for s in scores if s > 75]", data) == [160, 180]
    assert env.evaluate("{k: v for k, v in zip('abc', scores)}", data) == {"a": 80, "b": 90, "c": 70}
    assert env.evaluate('f"{name}: {n:>3}"', data) == "张三:   3"
    assert env.evaluate('"%s-%05d" % (name, n)', data) == "张三-00003"
    assert env.evaluate("isinstance(name, str) and isinstance(n, (str, int)) and issubclass(bool, int)", data) is True
    assert env.evaluate("str(n) + '天'", data) == "3天"
    assert env.evaluate("round(2.675, 2) < 3 and abs(-n) == 3 and 2 ** 10 == 1024", data) is True
    assert env.evaluate("any(s > 85 for s in scores) and all(s > 60 for s in scores)", data) is True
    assert env.evaluate("double(n)", data) == 6


def test_execute_changes_task_data_in_place_and_leaves_it_serialisable(env):
    data = {"form": {"decision": "approve"}, "items": [1]}
    assert env.execute(
        "approved = form['decision'] == 'approve'\n"
        "total = 0\nfor i in range(4):\n    total += i\n"
        "items += [2]\nitems.append(3)\nform['checked'] = True\n"
        "helper = lambda v: v\n"
        "def local():\n    return 1\n"
        "a, (b, c) = 1, (2, 3)\n"
        "twice = double(total)",
        data,
    )
    assert data == {
        "form": {"decision": "approve", "checked": True}, "items": [1, 2, 3], "approved": True,
        "total": 6, "i": 3, "a": 1, "b": 2, "c": 3, "twice": 12,
    }


def test_external_context_is_offered_and_removed_afterwards(env):
    data = {"x": 1}
    env.execute("y = x + bonus", data, {"bonus": 10})
    assert data == {"x": 1, "y": 11}
    assert env.evaluate("x + bonus", data, {"bonus": 5}) == 6


def test_task_data_hiding_a_helper_is_reported_clearly(env):
    with pytest.raises(ValueError, match="double"):
        env.execute("x = 1", {"double": 3})


def test_helpers_are_sealed_so_their_internals_stay_out_of_reach():
    class Session:
        def execute(self, sql):  # pragma: no cover - must never be reached
            raise AssertionError("reached the session")

    def set_outcome(session, outcome):
        return outcome

    env = RestrictedEnvironment({"set_outcome": partial(set_outcome, Session())})
    assert env.evaluate("set_outcome('ok')", {}) == "ok"
    with pytest.raises(AttributeError):
        env.execute("set_outcome.args[0].execute('drop table workers')", {})


def test_runtime_errors_are_raised_as_they_are(env):
    with pytest.raises(KeyError):
        env.evaluate('form["missing"]', {"form": {}})
    with pytest.raises(NameError):
        env.evaluate("undefined_name", {})
    with pytest.raises(ZeroDivisionError):
        env.execute("x = 1 / 0", {})


def test_missing_attributes_raise_instead_of_returning_none(env):
    with pytest.raises(AttributeError):
        env.evaluate("worker.nothing", {"worker": {}})


def test_compiled_code_is_cached():
    assert compile_expression("a + 1") is compile_expression("a + 1")
    assert compile_script("a = 1") is compile_script("a = 1")


def test_the_engine_validates_with_the_restricted_compiler():
    engine = make_script_engine()
    assert isinstance(engine, PythonScriptEngine)
    engine.validate("x == 1")
    with pytest.raises(SyntaxError):
        engine.validate("import os")
    with pytest.raises(SyntaxError):
        engine.validate("< 5")  # the DMN engine relies on this to add the input on the left


# ---- compile-time refusals ---------------------------------------------------------------------


@pytest.mark.parametrize(("source", "reason"), COMPILE_TIME_ESCAPES + SCRIPT_ONLY_ESCAPES)
def test_escapes_are_refused_when_compiling_a_script(source, reason):
    with pytest.raises(SyntaxError) as caught:
        compile_script(source)
    assert isinstance(caught.value.lineno, int) and caught.value.lineno >= 1
    assert reason in caught.value.msg


@pytest.mark.parametrize(("source", "reason"), COMPILE_TIME_ESCAPES)
def test_escapes_are_refused_when_compiling_an_expression(source, reason):
    with pytest.raises(SyntaxError) as caught:
        compile_expression(source)
    assert isinstance(caught.value.lineno, int)
    assert reason in caught.value.msg


def test_a_statement_where_an_expression_belongs_is_explained():
    with pytest.raises(SyntaxError, match="此处应为表达式"):
        compile_expression("while True: pass")
    with pytest.raises(RestrictedSyntaxError, match="不允许 import"):
        compile_expression("import os")


def test_the_line_of_a_refusal_is_the_script_line():
    with pytest.raises(RestrictedSyntaxError) as caught:
        compile_script("a = 1\nb = 2\nc = __import__('os')\n")
    assert caught.value.lineno == 3
    with pytest.raises(SyntaxError) as caught:
        compile_script("a = 1\nb = (\n")
    assert isinstance(caught.value.lineno, int)


# ---- run-time refusals -------------------------------------------------------------------------


@pytest.mark.parametrize("expression", RUN_TIME_REFUSALS)
def test_huge_results_are_refused_before_they_are_computed(env, without_static_check, expression):
    started = time.monotonic()
    with pytest.raises(ScriptError):
        env.evaluate(expression, {})
    with pytest.raises(ScriptError):
        env.execute(f"x = {expression}", {})
    assert time.monotonic() - started < 2.0


@pytest.mark.parametrize("script", SLOW_SCRIPTS)
def test_endless_scripts_are_stopped_by_the_deadline(env, script):
    started = time.monotonic()
    with pytest.raises(ScriptTimeout):
        env.execute(script, {})
    assert time.monotonic() - started < 2.0


def test_the_deadline_works_outside_the_main_thread(env):
    outcome: list[BaseException] = []

    def run():
        try:
            env.execute("while True:\n    pass", {})
        except BaseException as exc:  # noqa: BLE001 - reported to the test thread
            outcome.append(exc)

    worker = threading.Thread(target=run)
    started = time.monotonic()
    worker.start()
    worker.join(5)
    assert not worker.is_alive()
    assert isinstance(outcome[0], ScriptTimeout)
    assert time.monotonic() - started < 2.0


def test_an_outer_step_deadline_is_never_extended_by_a_script_limit():
    env = RestrictedEnvironment(time_limit=30)
    started = time.monotonic()
    with deadline(0.3), pytest.raises(ScriptTimeout):
        env.execute("while True:\n    pass", {})
    assert time.monotonic() - started < 2.0
    assert StepDeadline.remaining() is None


def test_nested_deadlines_keep_the_earlier_one():
    with deadline(10):
        with deadline(60):
            remaining = StepDeadline.remaining()
            assert remaining is not None and remaining <= 10
        assert StepDeadline.remaining() <= 10
    assert StepDeadline.remaining() is None


def test_timeout_is_a_script_error():
    assert issubclass(ScriptTimeout, ScriptError)


def test_task_data_that_would_be_too_large_is_refused(env):
    script = "big = 'x' * 1000000\nrows = []\nfor i in range(10):\n    rows.append(big)"
    with pytest.raises(ScriptError, match="留下的数据过多"):
        env.execute(script, {})


# ---- nothing is executed -----------------------------------------------------------------------


def write_attempts(path: Path) -> list[str]:
    target = str(path)
    return [
        f"open({target!r}, 'w').write('pwned')",
        f"__import__('os').system('touch {target}')",
        f"__builtins__['open']({target!r}, 'w')",
        f"[c for c in ().__class__.__mro__[1].__subclasses__() if c.__name__ == 'FileIO'][0]({target!r}, 'w')",
        f"double.__globals__['__builtins__']['open']({target!r}, 'w')",
        f"'{{0.__globals__}}'.format(double)\nopen({target!r}, 'w')",
        f"import os\nos.system('touch {target}')",
        f"from pathlib import Path\nPath({target!r}).write_text('x')",
        f"exec(\"open({target!r}, 'w')\")",
        f"eval(\"open({target!r}, 'w')\")",
        "f = vars\nf()",
        "g = getattr\ng(double, '__glo' + 'bals__')",
        "b = [v for v in (1).__class__.__mro__]",
        f"x = {{}}.get.__self__\nopen({target!r}, 'w')",
        "o = int.mro()[1]\no.__subclasses__()",
        "e = ValueError('x')\ne.__traceback__",
        "def g():\n    yield 1\ng().gi_frame.f_globals",
    ]


def test_no_escape_writes_a_file_through_any_site(env, tmp_path: Path):
    target = tmp_path / "pwned.txt"
    engine = make_script_engine({"double": lambda n: n * 2})
    for attempt in write_attempts(target):
        for run in (
            lambda a: env.execute(a, {}),
            lambda a: env.evaluate(a, {}),
            lambda a: engine.environment.execute(a, {}),
        ):
            with pytest.raises((SyntaxError, ScriptError, NameError, AttributeError, TypeError)):
                run(attempt)
        assert not target.exists(), attempt


@pytest.mark.parametrize("source", ["-" * 50000 + "1", "a" + "+a" * 30000, "x" * 100_001, "x\x00"])
def test_pathological_sources_are_syntax_errors_not_crashes(source):
    started = time.monotonic()
    with pytest.raises(SyntaxError) as caught:
        compile_expression(source)
    assert isinstance(caught.value.lineno, int)
    assert time.monotonic() - started < 1.0


def test_text_indented_by_the_xml_is_accepted_and_lines_are_kept(env):
    data = {"x": 1}
    assert env.evaluate("\n        x == 1\n      ", data) is True
    env.execute("\n        y = x + 1\n        z = y * 2\n      ", data)
    assert data == {"x": 1, "y": 2, "z": 4}
    with pytest.raises(SyntaxError) as caught:
        compile_script("\n    a = 1\n    b = __import__('os')\n")
    assert caught.value.lineno == 3
