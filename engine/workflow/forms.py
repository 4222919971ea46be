"""A task's form: where its JSON Schema and its submission are found, and checking submitted data
against the schema, with messages per field."""

from collections.abc import Mapping
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker, ValidationError, validators

from engine.core.errors import InvalidData
from engine.core.safe_patterns import matched_chars_limit, pattern_problem, schema_pattern_problems
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


_MESSAGES = {
    "required": "必填",
    "type": "类型不正确",
    "enum": "不是允许的选项",
    "const": "不是允许的值",
    "oneOf": "不是允许的选项",
    "format": "格式不正确",
    "minLength": "太短",
    "maxLength": "太长",
    "minimum": "太小",
    "maximum": "太大",
    "pattern": "格式不正确",
    "minItems": "至少需要更多项",
    "additionalProperties": "表单中没有此字段",
}


def _message(error: Any) -> str:
    if error.message.startswith((_TOO_LONG_TO_MATCH, _UNSAFE)):
        return error.message
    if error.validator == "minItems":
        return f"至少需要 {error.validator_value} 项"
    if error.validator == "not" and isinstance(error.validator_value, dict) and "required" in error.validator_value:
        return "按当前的选择无需填写此项，请清空"
    return _MESSAGES.get(error.validator, error.message)
