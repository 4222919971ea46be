"""Checks every shipped diagram must pass, shared by the per-process diagram tests.

Each function takes the parsed file (and the parsed specs where the engine's view matters) and
fails with a message naming the element, so a diagram edited in the modeler fails here first.
"""

import ast
import json
from collections.abc import Collection
from pathlib import Path

from jsonschema import Draft202012Validator
from lxml import etree
from RestrictedPython import compile_restricted_eval, compile_restricted_exec
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser

from config.roles import role_for_lane

NS = {
    "bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
    "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
    "dc": "http://www.omg.org/spec/DD/20100524/DC",
    "di": "http://www.omg.org/spec/DD/20100524/DI",
    "spiffworkflow": "http://spiffworkflow.org/bpmn/schema/1.0/core",
}
HELPERS = {"policy", "add_days", "add_working_days", "today", "set_outcome", "set_worker_status", "notify",
           "len"}
DRAWN = {"participant", "lane", "subProcess", "startEvent", "endEvent", "boundaryEvent", "userTask",
         "scriptTask", "exclusiveGateway", "parallelGateway", "intermediateCatchEvent"}
FLOW_NODE_SUFFIXES = ("Task", "Event", "Gateway", "subProcess")


def parse_specs(path: Path, key: str):
    parser = SpiffBpmnParser(validator=VALIDATOR)
    parser.add_bpmn_file(str(path))
    return parser.get_spec(key), parser.get_subprocess_specs(key)


def all_task_specs(specs):
    spec, subprocess_specs = specs
    yield from spec.task_specs.values()
    for sub in subprocess_specs.values():
        yield from sub.task_specs.values()


def local(el) -> str:
    return etree.QName(el).localname


def bounds(shape) -> tuple[float, float, float, float]:
    b = shape.find("dc:Bounds", NS)
    return tuple(float(b.get(k)) for k in ("x", "y", "width", "height"))


def overlap(a, b) -> bool:
    return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]


def inside(point, box, margin=0.5) -> bool:
    x, y = point
    return box[0] - margin <= x <= box[0] + box[2] + margin and box[1] - margin <= y <= box[1] + box[3] + margin


def on_border(point, box, margin=0.5) -> bool:
    x, y = point
    left, top, right, bottom = box[0], box[1], box[0] + box[2], box[1] + box[3]
    return inside(point, box, margin) and min(abs(x - left), abs(x - right), abs(y - top),
                                              abs(y - bottom)) <= margin


def layout(tree):
    root = tree.getroot()
    shapes = {s.get("bpmnElement"): s for s in root.iterfind(".//bpmndi:BPMNShape", NS)}
    edges = {e.get("bpmnElement"): e for e in root.iterfind(".//bpmndi:BPMNEdge", NS)}
    elements = {el.get("id"): el for el in root.iter() if isinstance(el.tag, str) and el.get("id")}
    return root, shapes, edges, elements


def check_lanes(tree) -> None:
    """Lanes name roles; every flow node but a subprocess sits in exactly one lane.

    SpiffWorkflow gives every node inside a subprocess the subprocess's own lane when it has one,
    so a subprocess spanning several lanes must stay out of every lane.
    """
    process = tree.getroot().find("bpmn:process", NS)
    lanes = [lane.get("name") for lane in process.findall("bpmn:laneSet/bpmn:lane", NS)]
    assert all(role_for_lane(name) is not None for name in lanes), lanes
    refs = [ref.text for ref in process.iterfind("bpmn:laneSet/bpmn:lane/bpmn:flowNodeRef", NS)]
    assert len(refs) == len(set(refs)), "a node sits in two lanes"
    flow_nodes = {el.get("id") for el in process.iter()
                  if isinstance(el.tag, str) and local(el.getparent()) in ("process", "subProcess")
                  and local(el).endswith(FLOW_NODE_SUFFIXES)}
    subprocesses = {el.get("id") for el in process.iter(f"{{{NS['bpmn']}}}subProcess")}
    assert set(refs) == flow_nodes - subprocesses


def check_gateways(specs) -> None:
    """Every merge is a gateway; every exclusive choice has a default and conditions on the rest.

    SpiffWorkflow's own helper specs (the join behind boundary events) have no BPMN id and
    are left out of the counts.
    """
    for task_spec in all_task_specs(specs):
        if not getattr(task_spec, "bpmn_id", None) or type(task_spec).__name__ == "BoundaryEvent":
            continue
        kind = type(task_spec).__name__
        inputs = [s for s in task_spec.inputs if getattr(s, "bpmn_id", None)]
        outputs = [s for s in task_spec.outputs if getattr(s, "bpmn_id", None)]
        if len(inputs) > 1:
            assert kind in ("ExclusiveGateway", "ParallelGateway"), f"{task_spec.bpmn_id} merges without a gateway"
        if kind == "ExclusiveGateway" and len(outputs) > 1:
            assert task_spec.default_task_spec is not None, task_spec.bpmn_id
            conditions = [cond for cond, _ in task_spec.cond_task_specs if cond is not None]
            assert len(conditions) == len(outputs) - 1, task_spec.bpmn_id
        elif kind not in ("ExclusiveGateway", "ParallelGateway"):
            assert len(outputs) <= 1, f"{task_spec.bpmn_id} forks without a gateway"


def expressions(tree):
    """Every script, condition, timer and dueAt in the diagram: (element id, mode, source)."""
    root = tree.getroot()
    for script in root.iterfind(".//bpmn:scriptTask/bpmn:script", NS):
        yield script.getparent().get("id"), "exec", script.text
    for cond in root.iterfind(".//bpmn:sequenceFlow/bpmn:conditionExpression", NS):
        yield cond.getparent().get("id"), "eval", cond.text
    for timer in root.iterfind(".//bpmn:timerEventDefinition/*", NS):
        yield timer.getparent().getparent().get("id"), "eval", timer.text
    for prop in root.iterfind(".//spiffworkflow:property[@name='dueAt']", NS):
        yield prop.getparent().getparent().getparent().get("id"), "eval", prop.get("value")


def check_expressions(tree, helpers: Collection[str] = HELPERS) -> int:
    """Restricted Python calling only `helpers` (by default those of workflows/README.md); returns how many."""
    found = list(expressions(tree))
    for element_id, mode, source in found:
        compiled = (compile_restricted_exec if mode == "exec" else compile_restricted_eval)(source)
        assert not compiled.errors, (element_id, compiled.errors)
        for node in ast.walk(ast.parse(source, mode=mode)):
            assert not isinstance(node, ast.Import | ast.ImportFrom | ast.Lambda), element_id
            if isinstance(node, ast.Name | ast.Attribute):
                name = node.id if isinstance(node, ast.Name) else node.attr
                assert not name.startswith("_"), (element_id, name)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                assert node.func.id in helpers, (element_id, node.func.id)
    return len(found)


def check_interchange(tree, key: str) -> None:
    """Every node, lane, pool and flow is drawn; subprocesses expanded; gateway markers shown."""
    root, shapes, edges, elements = layout(tree)
    plane = root.find(".//bpmndi:BPMNPlane", NS)
    assert plane.get("bpmnElement") == f"{key}_collaboration"
    flows = {fid for fid, el in elements.items() if local(el) == "sequenceFlow"}
    assert set(edges) == flows
    nodes = {nid for nid, el in elements.items() if local(el) in DRAWN}
    assert set(shapes) == nodes
    for nid, el in elements.items():
        if local(el) == "subProcess":
            assert shapes[nid].get("isExpanded") == "true", nid
        if local(el) == "exclusiveGateway":
            assert shapes[nid].get("isMarkerVisible") == "true", nid


def _node_boxes(shapes, elements, kinds_out=("lane", "participant", "subProcess")):
    return {nid: bounds(s) for nid, s in shapes.items() if local(elements[nid]) not in kinds_out}


def check_shapes(tree, key: str) -> None:
    """Shapes sit in their lanes and containers, boundary events on their host, none overlapping."""
    root, shapes, edges, elements = layout(tree)
    pool = bounds(shapes[f"{key}_pool"])
    lane_of = {}
    for lane in root.iterfind(".//bpmn:lane", NS):
        lane_box = bounds(shapes[lane.get("id")])
        assert inside(lane_box[:2], pool) and inside((lane_box[0] + lane_box[2], lane_box[1] + lane_box[3]), pool)
        for ref in lane.iterfind("bpmn:flowNodeRef", NS):
            lane_of[ref.text] = lane_box
    subprocess_boxes = {nid: bounds(shapes[nid]) for nid, el in elements.items() if local(el) == "subProcess"}
    boxes = []
    for nid, shape in shapes.items():
        el = elements[nid]
        kind = local(el)
        if kind in ("lane", "participant"):
            continue
        box = bounds(shape)
        mid = (box[0] + box[2] / 2, box[1] + box[3] / 2)
        assert inside(mid, pool), nid
        if nid in lane_of:
            lane_box = lane_of[nid]
            assert lane_box[1] < mid[1] < lane_box[1] + lane_box[3], f"{nid} is drawn outside its lane"
        if kind == "boundaryEvent":
            assert on_border(mid, bounds(shapes[el.get("attachedToRef")])), f"{nid} is not on its host's border"
            continue
        parent = el.getparent()
        if local(parent) == "subProcess":
            outer = subprocess_boxes[parent.get("id")]
            assert inside(box[:2], outer) and inside((box[0] + box[2], box[1] + box[3]), outer), nid
        elif kind != "subProcess":
            for sub, outer in subprocess_boxes.items():
                assert not overlap(box, outer), f"{nid} overlaps the subprocess {sub}"
        if kind != "subProcess":
            boxes.append((nid, box))
    for i, (a, box_a) in enumerate(boxes):
        for b, box_b in boxes[i + 1:]:
            assert not overlap(box_a, box_b), f"{a} overlaps {b}"


def _crosses(p, q, box, pad=2.0) -> bool:
    """The segment p-q (horizontal or vertical) passes through the inside of `box`."""
    x0, y0, w, h = box[0] + pad, box[1] + pad, box[2] - 2 * pad, box[3] - 2 * pad
    if p[1] == q[1]:
        lo, hi = sorted((p[0], q[0]))
        return y0 < p[1] < y0 + h and lo < x0 + w and hi > x0
    lo, hi = sorted((p[1], q[1]))
    return x0 < p[0] < x0 + w and lo < y0 + h and hi > y0


def check_edges(tree) -> None:
    """Edges are orthogonal, join their source and target, and pass through no other node."""
    root, shapes, edges, elements = layout(tree)
    nodes = _node_boxes(shapes, elements)
    for fid, edge in edges.items():
        points = [(float(w.get("x")), float(w.get("y"))) for w in edge.iterfind("di:waypoint", NS)]
        assert len(points) >= 2, fid
        for (x1, y1), (x2, y2) in zip(points, points[1:], strict=False):
            assert x1 == x2 or y1 == y2, f"{fid} has a diagonal segment"
        flow = elements[fid]
        source, target = flow.get("sourceRef"), flow.get("targetRef")
        assert on_border(points[0], bounds(shapes[source])), f"{fid} starts off its source"
        assert on_border(points[-1], bounds(shapes[target])), f"{fid} ends off its target"
        for p, q in zip(points, points[1:], strict=False):
            for nid, box in nodes.items():
                if nid not in (source, target):
                    assert not _crosses(p, q, box), f"{fid} runs through {nid}"


def check_labels(tree, minimum: int) -> None:
    """Labels cover no node and no other label."""
    root, shapes, edges, elements = layout(tree)
    node_boxes = list(_node_boxes(shapes, elements).items())
    labels = [(owner.get("bpmnElement"), bounds(label))
              for owner in [*shapes.values(), *edges.values()] for label in owner.iterfind("bpmndi:BPMNLabel", NS)]
    assert len(labels) >= minimum
    for owner, label_box in labels:
        for nid, box in node_boxes:
            assert not overlap(label_box, box), f"the label of {owner} covers {nid}"
    for i, (a, box_a) in enumerate(labels):
        for b, box_b in labels[i + 1:]:
            assert not overlap(box_a, box_b), f"the labels of {a} and {b} overlap"


def check_all_layout(tree, key: str, min_labels: int) -> None:
    check_interchange(tree, key)
    check_shapes(tree, key)
    check_edges(tree)
    check_labels(tree, min_labels)


FORMS = Path(__file__).resolve().parents[2] / "forms"


def load_form(name: str) -> dict:
    return json.loads((FORMS / name).read_text(encoding="utf-8"))


def check_form(name: str) -> None:
    """A shipped form: a Draft 2020-12 object schema, closed, every field titled and explained in
    Chinese, choices as const/title pairs, dates with format: date, comments as a text area."""
    form = load_form(name)
    Draft202012Validator.check_schema(form)
    assert form["type"] == "object" and form["additionalProperties"] is False, name
    assert form["title"] and form["description"] and form["required"], name
    assert set(form["required"]) <= set(form["properties"]), name
    for field, schema in form["properties"].items():
        assert schema.get("title") and schema.get("description"), f"{name}: {field}"
        for option in schema.get("oneOf", []):
            # a choice may name the earlier step the diagram returns to (offered as 退回 instead)
            assert set(option) - {"x-return-to"} == {"const", "title"}, f"{name}: {field}"
        if field.endswith(("_on", "_date")):
            assert schema.get("format") == "date", f"{name}: {field} looks like a date without format: date"
    if "comment" in form["properties"]:
        assert form["properties"]["comment"].get("x-widget") == "textarea", f"{name}: comment"


def check_user_tasks(specs, expected: dict[str, tuple[str, str]]) -> dict:
    """Every user task is expected, sits in the lane of its role (Chinese name) and names its form
    file, which exists; returns the user task specs by id for further checks."""
    user_tasks = {ts.bpmn_id: ts for ts in all_task_specs(specs) if type(ts).__name__ == "UserTask"}
    assert set(user_tasks) == set(expected)
    for bpmn_id, (role, form) in expected.items():
        assert role_for_lane(user_tasks[bpmn_id].lane).key == role, bpmn_id
        assert user_tasks[bpmn_id].extensions["properties"]["formJsonSchemaFilename"] == form, bpmn_id
        assert (FORMS / form).is_file(), form
    return user_tasks
