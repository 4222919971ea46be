"""A task's form: where its JSON Schema and its submission are found, and checking submitted data
against the schema, with messages per field."""

from collections.abc import Mapping
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker, ValidationError, validators

from engine.core.errors import InvalidData
from engine.core.safe_patterns import matched_chars_limit, pattern_problem, schema_pattern_problems
from engine.core.words import decision_word
from engine.models import TaskRow
from engine.workflow.definitions import form_key

_FORMATS = FormatChecker()
_TOO_LONG_TO_MATCH = "太长，无法按格式校验"
_UNSAFE = "表单的格式规则不安全，请联系管理员修改表单"


def _bounded_pattern(validator: Any, pattern: str, instance: Any, schema: Any) -> Any:
    """`pattern`, matched only when safe and against text short enough to end quickly (engine.core.safe_patterns)."""
    if not validator.is_type(instance, "string"):
        return
    if pattern_problem(pattern):
        yield ValidationError(_UNSAFE)
        return
    limit = matched_chars_limit(pattern)
    if limit is not None and len(instance) > limit:
        yield ValidationError(f"{_TOO_LONG_TO_MATCH}（最多 {limit} 个字符）")
        return
    yield from Draft202012Validator.VALIDATORS["pattern"](validator, pattern, instance, schema)


_FormValidator = validators.extend(Draft202012Validator, {"pattern": _bounded_pattern})


def _refuse_unsafe_patterns(schema: dict[str, Any]) -> None:
    """A form stored before patterns were checked at save time may hold one that backtracks for minutes:
    answer with a clear 422 at once instead of matching it."""
    unsafe = schema_pattern_problems(schema)
    if unsafe:
        fields = {_field_of_path(path): [f"{_UNSAFE}（{problem}）"]
                  for path, problem in unsafe}
        raise InvalidData("表单的格式规则不安全，暂时无法提交，请联系管理员", fields, code="unsafe_form_pattern")


def _field_of_path(path: str) -> str:
    """`properties.code.pattern` → `code`; nested objects give `a.b`."""
    parts = path.split(".")
    names = [parts[i + 1] for i, part in enumerate(parts[:-1]) if part == "properties"]
    return ".".join(names) or "data"


def form_file(key: str) -> str:
    """The file name a form is deployed under (`Definition.forms`): its data key and `.json`."""
    return f"{key}.json"


def task_form(forms: Mapping[str, Any] | None, key: str | None) -> dict[str, Any] | None:
    """The JSON Schema of the form with data key `key` (a task row's `form_key`; a start form's key
    for a case returned to its initiator), or None for a task without a form."""
    return (forms or {}).get(form_file(key)) if key else None


def decision_label(forms: Mapping[str, Any] | None, key: str | None, decision: Any) -> str:
    """A decision in the words its own form offered (确认离职, 同意辞退…), so a bell, the timeline and
    the printed form quote it alike; the general word when the form has no such choice."""
    prop = ((task_form(forms, key) or {}).get("properties") or {}).get("decision") or {}
    for option in prop.get("oneOf") or prop.get("anyOf") or []:
        if isinstance(option, dict) and option.get("const") == decision and option.get("title"):
            return str(option["title"])
    return decision_word(decision)


def data_key(row: TaskRow) -> str:
    """Where a task's submission is kept in the case data: its form's key, else the task's name."""
    return row.form_key or form_key(row.name)


def shown_when(schema: Mapping[str, Any] | None) -> dict[str, tuple[str, list[Any], bool]]:
    """Fields shown only when another field has one of some values (the form designer's conditions):
    {field: (controlling field, values, required when shown)}.

    A condition is one `allOf` entry of standard JSON Schema, so any validator reads it the same way:
    `{"if": {"properties": {X: {"const": v} | {"enum": [...]}}, "required": [X]},
      "then": {"required": [F]}, "else": {"not": {"required": [F]}}}` — F is asked for (and required
    when `then` says so) while X holds one of the values, and has no value otherwise.
    """
    found: dict[str, tuple[str, list[Any], bool]] = {}
    for entry in (schema or {}).get("allOf") or []:
        if not isinstance(entry, dict):
            continue
        condition, otherwise, then = entry.get("if"), entry.get("else"), entry.get("then") or {}
        if not isinstance(condition, dict) or not isinstance(otherwise, dict) or not isinstance(then, dict):
            continue
        tested = condition.get("properties")
        if not isinstance(tested, dict) or len(tested) != 1:
            continue
        (controller, rule), = tested.items()
        if condition.get("required") != [controller] or not isinstance(rule, dict):
            continue
        values = [rule["const"]] if "const" in rule else rule.get("enum")
        hidden = (otherwise.get("not") or {}).get("required") if isinstance(otherwise.get("not"), dict) else None
        if not isinstance(values, list) or not isinstance(hidden, list) or len(hidden) != 1:
            continue
        field = hidden[0]
        found[field] = (controller, values, field in (then.get("required") or []))
    return found


def condition_holds(value: Any, values: list[Any]) -> bool:
    """Whether a controlling field's value is one of `values` (for a list of choices: any of them)."""
    if isinstance(value, list):
        return any(_same(v, w) for v in value for w in values)
    return any(_same(value, w) for w in values)


def _same(value: Any, wanted: Any) -> bool:
    """Equal, with `true` never standing for 1 (JSON Schema's `const` tells them apart)."""
    return value == wanted and isinstance(value, bool) == isinstance(wanted, bool)


def validate_submission(schema: dict[str, Any], data: Any) -> dict[str, Any]:
    """Return `data` when it fits the form; otherwise raise InvalidData naming each field.

    Fields the form does not declare are refused even when the schema forgets
    `additionalProperties: false`, so nothing unexpected reaches the shared task data.
    """
    if not isinstance(data, dict):
        raise InvalidData("提交的数据必须是对象", {"data": ["必须是 JSON 对象"]})
    fields: dict[str, list[str]] = {}
    declared = set((schema.get("properties") or {}).keys())
    for name in data:
        if name not in declared:
            fields.setdefault(name, []).append("表单中没有此字段")
    _refuse_unsafe_patterns(schema)
    validator = _FormValidator(schema, format_checker=_FORMATS)
    for error in validator.iter_errors(data):
        field = _field_of(error)
        if field in fields and error.validator == "additionalProperties":
            continue
        fields.setdefault(field, []).append(_message(error))
    if fields:
        title = schema.get("title")
        raise InvalidData(f"「{title}」填写有误，请按各项提示修改" if title else "表单填写有误，请按各项提示修改", fields)
    return data


def _field_of(error: Any) -> str:
    if error.validator == "not" and isinstance(error.validator_value, dict) \
            and len(error.validator_value.get("required") or []) == 1:
        return str(error.validator_value["required"][0])  # a field hidden by a condition (shown_when)
    if error.validator == "required":
        return error.message.split("'")[1] if "'" in error.message else "data"
    if error.path:
        return ".".join(str(p) for p in error.path)
    return "data"


_MESSAGES = {  # what to do, for the checks whose message needs nothing from the schema
    "enum": "请从列表中选择一项",
    "oneOf": "请从列表中选择一项",
    "anyOf": "请按说明填写此项",
    "pattern": "格式不正确，请按说明填写",
    "uniqueItems": "有重复的项，请删去重复的",
    "additionalProperties": "表单中没有此字段",
}
_TYPE_WORDS = {"integer": "请填写整数", "number": "请填写数字", "string": "请填写文字", "boolean": "请选择是或否",
               "array": "请选择或填写一项或多项", "object": "请按各项说明填写"}
_FORMAT_WORDS = {"date": "请填写日期，例如 2026-11-25", "date-time": "请填写日期和时间，例如 2026-11-25 09:30",
                 "time": "请填写时间，例如 09:30", "email": "请填写有效的电子邮箱地址，例如 name@example.org"}


def _label(schema: Any) -> str:
    return str(schema.get("title") or "") if isinstance(schema, dict) else ""


def _required_message(error: Any) -> str:
    """A missing field, by what the person does to fill it: tick a box, choose, or write."""
    name = error.message.split("'")[1] if "'" in error.message else ""
    field = ((error.schema.get("properties") or {}).get(name) or {}) if isinstance(error.schema, dict) else {}
    if field.get("type") == "boolean":
        return f"请勾选以确认{_label(field)}" if field.get("const") is True and _label(field) else "请勾选此项"
    if field.get("enum") or field.get("oneOf"):
        return "请从列表中选择一项"
    if field.get("type") == "array":
        items = field.get("items") if isinstance(field.get("items"), dict) else {}
        return "请至少勾选一项" if items.get("enum") or items.get("oneOf") else "请至少填写一项"
    return "必填"


def _message(error: Any) -> str:
    """The message under a field: what is wrong and what to do, in the form's words."""
    if error.message.startswith((_TOO_LONG_TO_MATCH, _UNSAFE)):
        return error.message
    kind, limit, schema = error.validator, error.validator_value, error.schema
    if kind == "required":
        return _required_message(error)
    if kind == "const":
        if limit is True:
            return f"请勾选以确认{_label(schema)}" if _label(schema) else "请勾选以确认"
        return "请按说明填写此项"
    if kind == "type":
        return _TYPE_WORDS.get(limit if isinstance(limit, str) else "", "请按说明填写此项")
    if kind == "pattern" and limit == "\\S":
        return "请填写内容，不能只有空格"
    if kind == "format":
        return _FORMAT_WORDS.get(limit, "格式不正确，请按说明填写")
    if kind == "minLength":
        return "必填" if limit == 1 else f"请至少填写 {limit} 个字"
    if kind == "maxLength":
        return f"最多 {limit} 个字，请删减"
    if kind in ("minimum", "exclusiveMinimum"):
        return f"不能小于{'或等于' if kind == 'exclusiveMinimum' else ''} {limit}，请修改"
    if kind in ("maximum", "exclusiveMaximum"):
        return f"不能大于{'或等于' if kind == 'exclusiveMaximum' else ''} {limit}，请修改"
    if kind == "not" and isinstance(limit, dict) and "required" in limit:
        return "按当前的选择无需填写此项，请清空"
    if kind == "minItems":
        return f"至少需要 {limit} 项"
    if kind == "maxItems":
        return f"最多 {limit} 项，请删去多余的"
    return _MESSAGES.get(kind, "请按说明填写此项")
