"""Saved workflow states: what goes in comes back the same, whichever JSON library wrote it, and
states written before the switch to orjson still load."""

import json
from datetime import datetime, timedelta
from decimal import Decimal
from uuid import UUID

import pytest
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

from engine.bpmn.parsing import build_specs
from engine.bpmn.scripting import make_script_engine
from engine.bpmn.store import _SERIALIZER, STATE_FORMAT, dump_state, load_state
from tests.conftest import ROOT

ONE_TASK = ROOT / "bench" / "fixtures" / "bench_one_task.bpmn"
SHANGHAI = datetime.fromisoformat("2026-03-02T10:00:00+08:00")


@pytest.fixture(scope="module")
def parsed():  # noqa: ANN201
    return build_specs(ONE_TASK.read_bytes(), source="bench_one_task.bpmn")


def _waiting_at_review(parsed, data: dict) -> BpmnWorkflow:  # noqa: ANN001
    workflow = BpmnWorkflow(parsed.spec, parsed.subprocess_specs)
    workflow.script_engine = make_script_engine({})
    workflow.get_tasks(state=TaskState.READY)[0].set_data(**data)
    workflow.do_engine_steps()
    return workflow


def _round_trip(parsed, data: dict) -> dict:  # noqa: ANN001
    state = dump_state(_waiting_at_review(parsed, data))
    workflow = load_state(state, parsed, STATE_FORMAT)
    return workflow.get_tasks(state=TaskState.READY, manual=True)[0].data


def _old_json_state(workflow: BpmnWorkflow) -> bytes:
    """A state as `dump_state` wrote it before orjson: the standard library with Spiff's encoder."""
    registry = _SERIALIZER.registry
    registry._encoder_mode = True
    try:
        dct = _SERIALIZER.to_dict(workflow)
        dct[_SERIALIZER.VERSION_KEY] = _SERIALIZER.VERSION
        text = json.dumps(dct, cls=_SERIALIZER._encoder_cls, separators=(",", ":"), ensure_ascii=False)
    finally:
        registry._encoder_mode = False
    return text.encode("utf-8")


def test_chinese_text_is_stored_as_utf8_and_comes_back_unchanged(parsed):
    data = {"subject": "张三的离职申请（社区）", "n": 3, "ratio": 0.1, "items": [{"名称": "证明", "份数": 2}],
            "flag": True, "nothing": None}
    state = dump_state(_waiting_at_review(parsed, data))
    assert "张三的离职申请（社区）".encode() in state, "written as UTF-8, not as \\u escapes"
    assert {k: v for k, v in _round_trip(parsed, data).items() if k in data} == data


def test_a_state_written_with_the_standard_json_library_still_loads(parsed):
    data = {"subject": "旧状态", "due": SHANGHAI, "big": 2**70, "ratio": float("inf")}
    old = _old_json_state(_waiting_at_review(parsed, data))
    task = load_state(old, parsed, STATE_FORMAT).get_tasks(state=TaskState.READY, manual=True)[0]
    assert task.data["subject"] == "旧状态" and task.data["due"] == SHANGHAI
    assert task.data["big"] == 2**70 and isinstance(task.data["big"], int)
    assert task.data["ratio"] == float("inf")


def test_dates_uuids_and_sets_in_task_data_come_back_as_themselves(parsed):
    case_id = UUID("12345678-1234-5678-1234-567812345678")
    data = {"nested": {"due": SHANGHAI, "case": case_id, "wait": timedelta(days=3)}, "tags": {"甲"}}
    back = _round_trip(parsed, data)
    assert back["nested"] == {"due": SHANGHAI, "case": case_id, "wait": timedelta(days=3)}
    assert back["tags"] == ["甲"], "a set is stored as a list, as before"


def test_numbers_beyond_64_bits_and_non_finite_floats_stay_exact(parsed):
    data = {"huge": 2**70, "u64": 18446744073709551615, "low": -9300000000000000000,
            "card": "6222021234567890123456", "inf": float("-inf")}
    back = _round_trip(parsed, data)
    assert back["huge"] == 2**70 and back["u64"] == 18446744073709551615
    assert back["low"] == -9300000000000000000 and isinstance(back["low"], int)
    assert back["card"] == "6222021234567890123456" and back["inf"] == float("-inf")


def test_integer_dict_keys_become_strings_as_before(parsed):
    assert _round_trip(parsed, {"by_year": {2026: "是"}})["by_year"] == {"2026": "是"}


def test_a_decimal_in_task_data_is_still_refused(parsed):
    with pytest.raises(TypeError):
        dump_state(_waiting_at_review(parsed, {"amount": Decimal("1.50")}))
