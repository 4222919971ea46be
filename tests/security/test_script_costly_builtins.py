"""Time and memory spent inside one builtin call are bounded: a diagram cannot reach a method whose cost its
arguments do not bound (`encode('punycode')`, `to_bytes(3*10**9)`), and what is visibly too large is refused
at upload, naming the element; what depends on case data is refused when it runs, as a quick clean 422."""

import time

import pytest

from engine.bpmn.scripting import RestrictedEnvironment, RestrictedSyntaxError, ScriptError, compile_script
from engine.bpmn.validation import validate_definition
from tests.engine.test_validation import site_diagram
from tests.security.test_script_escapes_at_run_time import _assert_clean_refusal, _nothing_saved, deploy_bpmn  # noqa: F401

STATIC_PAYLOADS = [
    "''.join(['a', 'b']).encode('punycode')",
    "(1).to_bytes(3*10**9, 'big')",
    "'9'*10**9",
    "10**10**8",
    "'a'.center(10**10)",
    "bytes(10**10)",
    "[0]*10**10",
    "[s.encode('utf-16') for s in ['a']]",
    "'x'.zfill(10**8)",
]


@pytest.mark.parametrize("site", ["script task", "gateway condition", "preScript"])
@pytest.mark.parametrize("payload", STATIC_PAYLOADS)
def test_a_visibly_costly_call_is_refused_at_upload_naming_the_element(site, payload):
    source = payload if site == "gateway condition" else f"x = {payload}"
    bpmn, dmn = site_diagram(site, source)
    began = time.monotonic()
    problems = validate_definition(bpmn, dmn, {}, source="sites.bpmn")
    assert time.monotonic() - began < 2
    assert any(p.code == "script" and p.element_id == "target" for p in problems), problems
    assert "元素 target" in str(problems[0])


RUN_TIME_PAYLOADS = [
    ("x = text.encode(codec)", {"text": "".join(chr(0x4E00 + i * 7) for i in range(2000)), "codec": "punycode"},
     "只允许 UTF-8 编码"),
    ("x = text.encode(codec)", {"text": "abc", "codec": "utf-16"}, "只允许 UTF-8 编码"),
    ("x = text.encode('utf-8', how)", {"text": "abc", "how": "xmlcharrefreplace"}, "编码错误处理方式"),
    ("x = (1).to_bytes(n, 'big')", {"n": 3 * 10**9}, "to_bytes 的长度过大"),
    ("x = n.to_bytes(n, 'big')", {"n": 10**8}, "to_bytes 的长度过大"),
]


@pytest.mark.parametrize(("script", "data", "says"), RUN_TIME_PAYLOADS)
def test_a_costly_call_decided_by_case_data_is_refused_at_once_when_it_runs(script, data, says):
    env = RestrictedEnvironment(time_limit=3.0)
    began = time.monotonic()
    with pytest.raises(ScriptError, match=says):
        env.execute(script, dict(data))
    assert time.monotonic() - began < 2


@pytest.mark.parametrize(("script", "data", "says"), RUN_TIME_PAYLOADS[:1] + RUN_TIME_PAYLOADS[3:4])
def test_through_the_api_the_refusal_is_a_quick_422_naming_the_element_and_nothing_is_saved(
        app, as_user, deploy_bpmn, script, data, says):  # noqa: F811
    deploy_bpmn(*site_diagram("script task", script))
    began = time.monotonic()
    response = as_user("hr_s01").post("/api/v1/processes/sites/instances",
                                      json={"org": "S01C01", "data": {"degree": "本科", **data}})
    assert time.monotonic() - began < 2
    _assert_clean_refusal(response)
    message = response.get_json()["error"]["message"]
    assert says in message and "target" in message, message
    _nothing_saved(app)


@pytest.mark.parametrize(("source", "says"), [
    ("x = n.from_bytes(b, 'big')", "'int.from_bytes'"),
    ("x = int.from_bytes(b, 'big')", "'int.from_bytes'"),
    ("x = b.decode(codec)", "只允许 UTF-8 编码"),
])
def test_methods_outside_the_allow_list_are_refused_naming_the_method(source, says):
    env = RestrictedEnvironment(time_limit=3.0)
    with pytest.raises(ScriptError, match=says):
        env.execute(source, {"text": "abc", "n": 1, "b": b"\x01", "codec": "utf-16"})


def test_ordinary_methods_still_work_and_a_computed_utf8_encoding_runs():
    compile_script("x = text.encode(codec)")
    compile_script("x = text.encode('UTF-8')")
    with pytest.raises(RestrictedSyntaxError, match="punycode"):
        compile_script("x = text.encode('punycode')")
    env = RestrictedEnvironment(time_limit=3.0)
    data = {"name": " 张三 ", "items": [3, 1, 2], "form": {"a": 1}}
    env.execute("clean = name.strip().upper()\nparts = 'a,b'.split(',')\nitems.sort()\nitems.append(4)\n"
                "raw = clean.encode('utf-8').decode('utf-8')\nkeys = sorted(form.keys())\nv = form.get('a', 0)\n"
                "width = 'x'.zfill(3)\nbits = (255).to_bytes(2, 'big').hex()\n", data)
    assert (data["clean"], data["parts"], data["items"], data["raw"], data["keys"], data["v"], data["width"],
            data["bits"]) == ("张三", ["a", "b"], [1, 2, 3, 4], "张三", ["a"], 1, "00x", "00ff")

