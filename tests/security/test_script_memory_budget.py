"""A script's memory is bounded while it runs, in every process: each evaluation may allocate about 50 MB
(counted in every operation that builds a value), so a loop piling up lists or texts is refused at once,
naming the element, long before the deadline; ordinary scripts building modest lists run as before."""

import resource
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from engine.bpmn.scripting import RestrictedEnvironment, ScriptError
from tests.engine.test_validation import site_diagram
from tests.security.test_script_escapes_at_run_time import _assert_clean_refusal, _nothing_saved, deploy_bpmn  # noqa: F401

ROOT = Path(__file__).parents[2]

PILING_UP = [
    "x = [[0]*10**6 for _ in range(3000)]",
    "parts = []\ns = 'x' * 100000\nfor i in range(100000):\n    parts.append(s + str(i))",
    "parts = []\ns = 'x' * 100000\nfor i in range(100000):\n    t = s\n    t += str(i)\n    parts.append(t)",
    "big = list(range(10**6))\nx = [[*big] for _ in range(3000)]",
    "big = list(range(10**6))\nx = [list(big) for _ in range(3000)]",
    "big = list(range(10**6))\nx = [big[:] for _ in range(3000)]",
    "s = 'ab' * 500000\nx = [s.upper() for _ in range(3000)]",
    "s = 'a,' * 500000\nx = [s.split(',') for _ in range(3000)]",
    "x = [','.join(['abc'] * 200000) for _ in range(3000)]",
    # integers that grow no bigger than their operands, but each a new big value
    "b = 2**4000\nx = [b - i for i in range(10**6)]",
    "b = 2**4000\nx = [-b for i in range(10**6)]",
    "b = 2**4000\nx = [b // (i + 1) for i in range(10**6)]",
    "b = 2**4000\nx = [b | i for i in range(10**6)]",
    "b = 2**4000\nx = [abs(b) for i in range(10**6)]",
    "b = 2**4000\nx = [divmod(b, i + 2) for i in range(10**6)]",
]

# Runs one payload in a fresh interpreter whose address space is capped 1 GB above its start, so even a
# sandbox without the budget cannot take the host down; prints the outcome and the peak RSS growth.
_CHILD = textwrap.dedent("""
    import resource, sys, time
    sys.path.insert(0, ".")
    from engine.bpmn.scripting import RestrictedEnvironment, ScriptError
    env = RestrictedEnvironment(time_limit=3.0)
    with open("/proc/self/statm") as f:
        size = int(f.read().split()[0]) * resource.getpagesize()
    resource.setrlimit(resource.RLIMIT_AS, (size + 1024 * 1024 * 1024, resource.RLIM_INFINITY))
    start = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    began = time.monotonic()
    try:
        env.execute(sys.stdin.read(), {})
        outcome = "ran"
    except ScriptError as exc:
        outcome = str(exc)
    except MemoryError:
        outcome = "MemoryError"
    grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - start) // 1024
    print(f"{time.monotonic() - began:.2f}|{grown}|{outcome}")
""")


@pytest.mark.parametrize("script", PILING_UP)
def test_memory_piled_up_in_a_loop_is_refused_quickly_and_the_process_stays_small(script):
    done = subprocess.run([sys.executable, "-c", _CHILD], input=script, capture_output=True, text=True,
                          timeout=60, cwd=str(ROOT))
    seconds, grown_mb, outcome = done.stdout.strip().split("|", 2)
    assert "内存超过上限" in outcome, done.stdout + done.stderr
    assert float(seconds) < 3
    assert int(grown_mb) < 150, f"RSS grew {grown_mb} MB"


def test_a_script_catching_the_refusal_gets_it_again():
    env = RestrictedEnvironment(time_limit=3.0)
    script = ("kept = []\nfor i in range(100):\n    try:\n        kept.append([0] * 10**6)\n"
              "    except Exception:\n        pass\n")
    with pytest.raises(ScriptError, match="内存超过上限"):
        env.execute(script, {})


def test_ordinary_scripts_building_modest_lists_and_texts_still_run():
    env = RestrictedEnvironment(time_limit=3.0)
    data = {"rows": [{"name": f"张{i}", "score": i % 100} for i in range(2000)]}
    env.execute(textwrap.dedent("""
        names = [row['name'] for row in rows if row['score'] >= 60]
        by_score = {row['name']: row['score'] for row in rows}
        ranked = sorted(names)[:10]
        lines = []
        for name in names[:200]:
            lines.append(f"{name}：合格")
        report = '\\n'.join(lines)
        summary = ''
        for name in ranked:
            summary += name + '，'
        table = list(range(10000))
        copies = [table[:] for _ in range(5)]
    """), data)
    assert len(data["names"]) == 800 and data["ranked"][0] == "张1060" and data["summary"].count("，") == 10
    assert len(data["copies"]) == 5 and data["by_score"]["张99"] == 99 and data["report"].startswith("张60：合格")


def test_each_evaluation_gets_its_own_budget():
    env = RestrictedEnvironment(time_limit=3.0)
    for _ in range(10):
        data: dict = {}
        env.execute("x = [0] * 10**6\ny = [len(x[:]) for _ in range(4)]\nx = None", data)
        assert data["y"] == [10**6] * 4
        assert env.evaluate("len([0] * 10**6) + len('ab' * 500000)", {}) == 2 * 10**6


def _address_space_capped(extra_mb: int):  # noqa: ANN202
    with open("/proc/self/statm") as f:
        size = int(f.read().split()[0]) * resource.getpagesize()
    return size + extra_mb * 1024 * 1024


@pytest.mark.parametrize("script", PILING_UP[:2])
def test_through_the_api_the_refusal_is_a_quick_422_naming_the_element_and_nothing_is_saved(
        app, as_user, deploy_bpmn, script):  # noqa: F811
    deploy_bpmn(*site_diagram("script task", script))
    client = as_user("hr_s01")
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    # A cap 1 GB above the test process now: a sandbox without the budget fails this test instead of the host.
    resource.setrlimit(resource.RLIMIT_AS, (_address_space_capped(1024), hard))
    try:
        began = time.monotonic()
        response = client.post("/api/v1/processes/sites/instances",
                               json={"org": "S01C01", "data": {"degree": "本科"}})
        seconds = time.monotonic() - began
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
    assert seconds < 3
    _assert_clean_refusal(response)
    message = response.get_json()["error"]["message"]
    assert "内存超过上限" in message and "target" in message, message
    _nothing_saved(app)
