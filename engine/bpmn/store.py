"""Saving and loading workflow state, with the spec kept out of the blob.

Specs live in the immutable definition version, so each saved state holds only the task tree
and data (half the size, about 2.7x faster to save and load). The library and format version
are stored with every state, since SpiffWorkflow's format migrations are fragile.

States are written and read with orjson when that gives the same document as the standard
library: plain JSON values only. Anything else (a datetime, UUID or set in task data, a NaN, an
integer beyond 64 bits) goes through `json` and SpiffWorkflow's registry encoder as before, so
every state written before still loads and means the same.
"""

import json
import math
import re
from copy import deepcopy
from typing import Any
from uuid import UUID

import orjson
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG

from engine.bpmn.parsing import ParsedDefinition

SPIFF_VERSION = "3.2.0"


class _SpecByReferenceConverter(BpmnWorkflowConverter):
    """Leaves the spec out when saving; takes the cached spec object back when loading."""

    def to_dict(self, workflow: BpmnWorkflow) -> dict[str, Any]:
        dct = super(BpmnWorkflowConverter, self).to_dict(workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def from_dict(self, dct: dict[str, Any]) -> BpmnWorkflow:
        parsed: ParsedDefinition = dct.pop("_parsed")
        workflow = self.target_class(parsed.spec, parsed.subprocess_specs, deserializing=True)
        workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow


def _make_serializer() -> BpmnWorkflowSerializer:
    config = deepcopy(SPIFF_CONFIG)
    config[BpmnWorkflow] = _SpecByReferenceConverter
    return BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(config))


_SERIALIZER = _make_serializer()
STATE_FORMAT = f"spiff-{SPIFF_VERSION}/{_SERIALIZER.VERSION}"


_PLAIN_TYPES = frozenset({str, int, bool, type(None)})
# an integer of 19 or more digits may not fit orjson's 64 bits: it would come back as a float
_LONG_NUMBER = re.compile(rb"\d{19}")


def _is_plain_json(value: Any) -> bool:
    """Only dicts, lists, strings, integers, booleans, None and finite floats: what orjson
    writes exactly as `json` does. Dict keys are left to orjson, which refuses non-strings."""
    stack = [value]
    while stack:
        item = stack.pop()
        kind = type(item)
        if kind in _PLAIN_TYPES:
            continue
        if kind is dict:
            stack.extend(item.values())
        elif kind is list:
            stack.extend(item)
        elif kind is not float or not math.isfinite(item):
            return False
    return True


def _encode(dct: dict[str, Any]) -> bytes:
    if _is_plain_json(dct):
        try:
            return orjson.dumps(dct)
        except TypeError:  # a non-string key, an integer beyond 64 bits, a lone surrogate
            pass
    text = json.dumps(dct, cls=_SERIALIZER._encoder_cls, separators=(",", ":"), ensure_ascii=False)
    return text.encode("utf-8")


def _decode(state: bytes) -> dict[str, Any]:
    if not _LONG_NUMBER.search(state):
        try:
            return orjson.loads(state)
        except orjson.JSONDecodeError:  # NaN or Infinity, which `json` writes and orjson refuses
            pass
    return json.loads(state.decode("utf-8"), cls=_SERIALIZER.json_decoder_cls)


def dump_state(workflow: BpmnWorkflow) -> bytes:
    """The workflow's state as compact UTF-8 JSON, without its spec."""
    registry = _SERIALIZER.registry
    registry._encoder_mode = True
    try:
        dct = _SERIALIZER.to_dict(workflow)
        dct[_SERIALIZER.VERSION_KEY] = _SERIALIZER.VERSION
        return _encode(dct)
    finally:
        registry._encoder_mode = False


def load_state(state: bytes, parsed: ParsedDefinition, state_format: str) -> BpmnWorkflow:
    """Rebuild a workflow from its saved state and its definition's cached spec."""
    if state_format != STATE_FORMAT:
        raise ValueError(f"saved state format {state_format} is not {STATE_FORMAT}; migrate first")
    dct = _decode(bytes(state))
    dct.pop(_SERIALIZER.VERSION_KEY, None)
    dct["_parsed"] = parsed
    return _SERIALIZER.from_dict(dct)
