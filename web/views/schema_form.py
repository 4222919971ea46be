"""JSON Schema forms in HTML: field descriptions for the one form macro, and posted forms back to data.

Field names are dotted paths (`posts.0.community`), the same paths the engine's validation messages
use, so a server error lands next to the field it is about. Nothing here validates: the engine does.
"""

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from engine.core import clock
from engine.core.words import CASE_DATA_WORDS, CASE_VALUE_WORDS
from engine.workflow.forms import condition_holds, shown_when

_ROW_INDEX = re.compile(r"\.\d+(?=\.|$)")
RADIO_LIMIT = 4  # up to this many options show as radio buttons, more as a drop-down
TABLE_SPARE_ROWS = 1  # empty rows offered below the filled rows of a table field


@dataclass
class Option:
    value: str
    label: str


@dataclass
class Field:
    """One input (or group of inputs) of a form, with its value and its error messages."""

    name: str
    label: str
    kind: str
    help: str = ""
    required: bool = False
    options: list[Option] = field(default_factory=list)
    value: Any = ""
    errors: list[str] = field(default_factory=list)
    attrs: dict[str, Any] = field(default_factory=dict)
    children: list["Field"] = field(default_factory=list)
    columns: list["Field"] = field(default_factory=list)
    rows: list[list["Field"]] = field(default_factory=list)
    min_rows: int = 0  # a table's minItems and maxItems, which the browser keeps to when adding/removing rows
    max_rows: int | None = None
    show_when: str = ""  # shown only while this field holds one of `show_values` (engine.workflow.forms.shown_when)
    show_values: list[str] = field(default_factory=list)

    @property
    def id(self) -> str:
        return "f-" + self.name.replace(".", "-")


@dataclass
class FormView:
    fields: list[Field]
    unmatched: dict[str, list[str]]  # errors about no field on the page (shown in the summary)
    labelled: list[tuple[Field, str]]  # every field error, for the summary's links

    @property
    def error_count(self) -> int:
        return len(self.labelled) + sum(len(m) for m in self.unmatched.values())


# -- reading the schema ---------------------------------------------------------------------------

def _type_of(prop: dict[str, Any]) -> str:
    kind = prop.get("type", "string")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "string")
    return kind


def _options(prop: dict[str, Any], *, offered: bool = False) -> list[Option]:
    """The choices of a field; `offered` leaves out a choice marked `x-return-to`, the diagram's own
    way back to an earlier step, which a person takes with the page's 退回 action instead (one way
    to return); it stays valid for systems that complete the task through the API."""
    for keyword in ("oneOf", "anyOf"):
        choices = prop.get(keyword)
        if isinstance(choices, list) and choices and all(isinstance(c, dict) and "const" in c for c in choices):
            return [Option(_text(c["const"]), c.get("title") or _text(c["const"])) for c in choices
                    if not (offered and c.get("x-return-to"))]
    if isinstance(prop.get("enum"), list):
        return [Option(_text(v), _text(v)) for v in prop["enum"] if v is not None]
    return []


def _kind(prop: dict[str, Any], choices: list[Option] | None) -> str:
    if prop.get("readOnly"):
        return "readonly"
    kind = _type_of(prop)
    if kind == "array":
        items = prop.get("items") or {}
        if _options(items):
            return "checkboxes"
        return "table" if _type_of(items) == "object" else "lines"
    if kind == "object":
        return "group"
    if kind == "boolean":
        return "boolean"
    if choices is not None:
        return "select"
    options = _options(prop)
    if options:
        return "radio" if len(options) <= RADIO_LIMIT else "select"
    if kind in ("integer", "number"):
        return kind
    fmt = prop.get("format")
    if fmt == "date":
        return "date"
    if fmt == "date-time":
        return "datetime"
    if prop.get("x-widget") == "textarea":
        return "textarea"
    return "text"


def _attrs(prop: dict[str, Any], kind: str) -> dict[str, Any]:
    attrs: dict[str, Any] = {}
    if kind in ("integer", "number"):
        attrs["step"] = prop.get("multipleOf") or ("1" if kind == "integer" else "any")
        for keyword, attr in (("minimum", "min"), ("maximum", "max")):
            if keyword in prop:
                attrs[attr] = prop[keyword]
        attrs["inputmode"] = "numeric" if kind == "integer" else "decimal"
    if kind in ("text", "textarea") and "maxLength" in prop:
        attrs["maxlength"] = prop["maxLength"]
    if kind == "text" and prop.get("format") == "email":
        attrs["type"] = "email"
    if kind == "text":
        attrs.update(prop.get("x-input") or {})
    return attrs


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


# -- describing a form for the macro --------------------------------------------------------------

def flatten(data: Any, prefix: str = "") -> dict[str, Any]:
    """Nested data as {dotted path: value}; lists of scalars stay lists (checkbox groups, lines)."""
    flat: dict[str, Any] = {}
    if isinstance(data, dict):
        for key, value in data.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            if isinstance(value, dict) or (isinstance(value, list) and value and all(isinstance(v, dict) for v in value)):
                flat[path] = value
                flat.update(flatten(value, path))
            else:
                flat[path] = value
    elif isinstance(data, list):
        for index, value in enumerate(data):
            flat.update(flatten(value, f"{prefix}.{index}"))
    return flat


def build_form(schema: dict[str, Any] | None, values: dict[str, Any] | None = None,
               errors: dict[str, list[str]] | None = None,
               choices: dict[str, list[tuple[Any, str]]] | None = None,
               extra: dict[str, str] | None = None) -> FormView:
    """Describe every field of `schema` with its current value and messages.

    `values` is nested data (a stored submission) or the flat dict `parse_form` returns; `choices`
    turns a field into a drop-down of the given (value, label) pairs (e.g. the workers in scope), by
    name or, inside a table, by pattern (`posts.#.community`); `extra` names the inputs a page renders
    itself beside the schema's ({"org": "组织单位"}), so their errors join the same summary.
    """
    flat = flatten(values or {})  # a flat dict (already dotted) flattens to itself
    errors = dict(errors or {})
    choice_options = {name: [Option(_text(v), label) for v, label in pairs] for name, pairs in (choices or {}).items()}
    fields = _fields(schema or {}, "", flat, errors, choice_options)
    labelled: list[tuple[Field, str]] = []
    seen: set[str] = set()
    _collect(fields, errors, labelled, seen)
    outside = [(Field(name=name, label=caption, kind="text"), message)
               for name, caption in (extra or {}).items() for message in errors.get(name, [])]
    labelled = outside + labelled
    seen.update(extra or {})
    unmatched = {k: v for k, v in errors.items() if k not in seen}
    return FormView(fields, unmatched, labelled)


def _collect(fields: list[Field], errors: dict[str, list[str]], out: list[tuple[Field, str]], seen: set[str]) -> None:
    for item in fields:
        seen.add(item.name)
        for message in item.errors:
            out.append((item, message))
        _collect(item.children, errors, out, seen)
        for row in item.rows:
            _collect(row, errors, out, seen)


def _fields(schema: dict[str, Any], prefix: str, flat: dict[str, Any], errors: dict[str, list[str]],
            choices: dict[str, list[Option]]) -> list[Field]:
    required = set(schema.get("required") or [])
    conditions = shown_when(schema)
    out = []
    for key, prop in (schema.get("properties") or {}).items():
        if not isinstance(prop, dict):
            continue
        name = f"{prefix}.{key}" if prefix else key
        condition = conditions.get(key)
        item = _field(key, name, prop, key in required or bool(condition and condition[2]), flat, errors, choices)
        if condition:  # required while shown; the browser hides it (and sends nothing) otherwise
            controller, values, _required = condition
            item.show_when = f"{prefix}.{controller}" if prefix else controller
            item.show_values = [_text(v) for v in values]
        out.append(item)
    return out


def _field(key: str, name: str, prop: dict[str, Any], required: bool, flat: dict[str, Any],
           errors: dict[str, list[str]], choices: dict[str, list[Option]]) -> Field:
    own_choices = choices.get(name) or choices.get(_ROW_INDEX.sub(".#", name))
    kind = _kind(prop, own_choices)
    if kind == "boolean":  # an unchecked box is a valid `false`: only a box that must be ticked is marked
        required = required and prop.get("const") is True
    item = Field(name=name, label=prop.get("title") or key, kind=kind, help=prop.get("description") or "",
                 required=required, errors=list(dict.fromkeys(errors.get(name, []))), attrs=_attrs(prop, kind))
    raw = flat.get(name)
    if kind in ("radio", "select", "checkboxes"):
        item.options = own_choices or _options(prop.get("items") or {} if kind == "checkboxes" else prop, offered=True)
    if kind == "group":
        item.children = _fields(prop, name, flat, errors, choices)
    elif kind == "table":
        item_schema = prop.get("items") or {}
        item.columns = _fields(item_schema, f"{name}.#", {}, {}, choices)
        count = _row_count(name, flat)
        item.min_rows = int(prop.get("minItems") or 0)
        item.max_rows = int(prop["maxItems"]) if "maxItems" in prop else None
        wanted = max(count + TABLE_SPARE_ROWS, item.min_rows, 1)
        if item.max_rows is not None:
            wanted = min(wanted, item.max_rows)
        item.rows = [_fields(item_schema, f"{name}.{index}", flat, errors, choices) for index in range(wanted)]
    elif kind == "checkboxes":
        item.value = [_text(v) for v in raw] if isinstance(raw, list) else []
    elif kind == "lines":
        item.value = "\n".join(_text(v) for v in raw) if isinstance(raw, list) else _text(raw)
    elif kind == "boolean":
        item.value = raw is True or raw in ("true", "on", "1")
    elif kind == "datetime":
        item.value = _local_datetime(raw)
    else:
        item.value = _text(raw)
    return item


def _row_count(name: str, flat: dict[str, Any]) -> int:
    indexes = set()
    prefix = name + "."
    for key in flat:
        if key.startswith(prefix):
            head = key[len(prefix):].split(".", 1)[0]
            if head.isdigit():
                indexes.add(int(head))
    return max(indexes) + 1 if indexes else 0


def _local_datetime(raw: Any) -> str:
    if isinstance(raw, datetime):
        moment = raw
    else:
        text = _text(raw)
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            return text
    if moment.tzinfo is not None:
        moment = moment.astimezone(clock.CHINA_TZ)
    return moment.strftime("%Y-%m-%dT%H:%M")


# -- reading a posted form -------------------------------------------------------------------------

def parse_form(schema: dict[str, Any] | None, form: MultiDict) -> tuple[dict[str, Any], dict[str, Any],
                                                                        dict[str, list[str]]]:
    """A posted form as (data for the engine, flat values to show again, conversion errors).

    Empty inputs are left out, so the schema's `required` names them; unchecked boxes are `false`;
    read-only fields and names the schema does not declare are never read, nor is a field whose
    condition does not hold (the browser hides it), so a page without scripts agrees with one with.
    """
    raw: dict[str, Any] = {}
    problems: dict[str, list[str]] = {}
    data = _parse_object(schema or {}, "", form, raw, problems)
    for name, (controller, values, _required) in shown_when(schema).items():
        if not condition_holds(data.get(controller), values):  # hidden in the browser: its value is not sent
            data.pop(name, None)
            problems.pop(name, None)
    return data, raw, problems


def _parse_object(schema: dict[str, Any], prefix: str, form: MultiDict, raw: dict[str, Any],
                  problems: dict[str, list[str]]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for key, prop in (schema.get("properties") or {}).items():
        if not isinstance(prop, dict):
            continue
        name = f"{prefix}.{key}" if prefix else key
        kind = _kind(prop, None)
        value = _parse_value(prop, kind, name, form, raw, problems)
        if value is not _MISSING:
            data[key] = value
    return data


_MISSING = object()


def _parse_value(prop: dict[str, Any], kind: str, name: str, form: MultiDict, raw: dict[str, Any],
                 problems: dict[str, list[str]]) -> Any:
    if kind == "readonly":
        return _MISSING
    if kind == "boolean":
        checked = form.get(name) in ("true", "on", "1")
        raw[name] = checked
        return checked
    if kind == "group":
        inner = _parse_object(prop, name, form, raw, problems)
        return inner if inner else _MISSING
    if kind == "table":
        return _parse_table(prop, name, form, raw, problems)
    if kind == "checkboxes":
        picked = [v for v in form.getlist(name) if v != ""]
        raw[name] = picked
        items = prop.get("items") or {}
        converted = [_convert(items, v, name, problems) for v in picked]
        return [v for v in converted if v is not _MISSING] if picked else _MISSING
    if kind == "lines":
        text = (form.get(name) or "").replace("\r\n", "\n")
        raw[name] = text
        lines = [line.strip() for line in text.split("\n") if line.strip()]
        items = prop.get("items") or {}
        converted = [_convert(items, v, name, problems) for v in lines]
        return [v for v in converted if v is not _MISSING] if lines else _MISSING
    text = (form.get(name) or "").replace("\r\n", "\n")
    raw[name] = text
    if not text.strip():
        return _MISSING
    if kind == "datetime":
        return _datetime_value(text)
    return _convert(prop, text, name, problems)


def _convert(prop: dict[str, Any], text: str, name: str, problems: dict[str, list[str]]) -> Any:
    kind = _type_of(prop)
    if kind == "integer":
        try:
            return int(text.strip())
        except ValueError:
            problems.setdefault(name, []).append(_("请输入整数"))
            return _MISSING
    if kind == "number":
        try:
            number = float(text.strip())
        except ValueError:
            problems.setdefault(name, []).append(_("请输入数字"))
            return _MISSING
        return int(number) if number.is_integer() and "." not in text else number
    if kind == "boolean":
        return text in ("true", "on", "1")
    return text


def _datetime_value(text: str) -> str:
    """A browser's datetime-local value ("2026-11-24T09:30") as an ISO moment in China time."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        return text
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=clock.CHINA_TZ)
    return moment.isoformat()


def _parse_table(prop: dict[str, Any], name: str, form: MultiDict, raw: dict[str, Any],
                 problems: dict[str, list[str]]) -> Any:
    prefix = name + "."
    indexes = sorted({int(head) for key in form.keys() if key.startswith(prefix)
                      and (head := key[len(prefix):].split(".", 1)[0]).isdigit()})
    item_schema = prop.get("items") or {}
    rows = []
    for index in indexes:
        row_raw: dict[str, Any] = {}
        row_problems: dict[str, list[str]] = {}
        row = _parse_object(item_schema, f"{name}.{index}", form, row_raw, row_problems)
        filled = any(v for v in row.values() if v is not False) or row_problems
        if not filled:
            continue
        position = len(rows)
        rows.append(row)
        for key, value in row_raw.items():
            raw[f"{name}.{position}{key[len(name) + 1 + len(str(index)):]}"] = value
        for key, messages in row_problems.items():
            problems[f"{name}.{position}{key[len(name) + 1 + len(str(index)):]}"] = messages
    return rows if rows else _MISSING


# -- showing stored data ---------------------------------------------------------------------------

def describe_data(schema: dict[str, Any] | None, data: dict[str, Any] | None,
                  skip: set[str] | frozenset[str] = frozenset()) -> list[tuple[str, str]]:
    """(label, text) rows for stored data: option titles for codes, 是/否 for booleans.

    Keys the schema does not describe are listed, after the described ones, under their word in
    engine.core.words; a key without one is the engine's bookkeeping and is left out.
    """
    schema = schema or {}
    data = data or {}
    rows: list[tuple[str, str]] = []
    properties = schema.get("properties") or {}
    for key, prop in properties.items():
        if key in skip or key not in data:
            continue
        rows.extend(_describe(prop.get("title") or key, prop, data[key]))
    for key, value in data.items():
        if key not in properties and key not in skip and key in CASE_DATA_WORDS:
            words = CASE_VALUE_WORDS.get(key, {})
            choices = {"oneOf": [{"const": code, "title": word} for code, word in words.items()]} if words else {}
            prop = {"items": choices} if isinstance(value, list) else choices
            rows.extend(_describe(CASE_DATA_WORDS[key], prop, value))
    return rows


def _describe(label: str, prop: dict[str, Any], value: Any) -> list[tuple[str, str]]:
    if isinstance(value, dict):
        rows = []
        inner_props = prop.get("properties") or {}
        for key, inner in value.items():
            inner_prop = inner_props.get(key) or {}
            rows.extend(_describe(f"{label} › {inner_prop.get('title') or key}", inner_prop, inner))
        return rows
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        rows = []
        for index, item in enumerate(value, start=1):
            rows.extend(_describe(f"{label} {index}", prop.get("items") or {}, item))
        return rows
    return [(label, display_value(prop, value))]


def display_value(prop: dict[str, Any], value: Any) -> str:
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, list):
        items = prop.get("items") or {}
        return "、".join(display_value(items, v) for v in value)
    if value is None:
        return "—"
    titles = {option.value: option.label for option in _options(prop)}
    text = _text(value)
    if isinstance(value, date | datetime):
        return value.isoformat()
    return titles.get(text, text)
