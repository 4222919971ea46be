"""The Integer fields of the API's schemas hold ids, ranks and counts that the database keeps in
32-bit INTEGER columns: a larger value is refused naming the field, before PostgreSQL would fail
on it. Free-form data (a case's `data`) keeps the 64-bit limit of web/input_guard.py."""

from typing import Any

from marshmallow import Schema, fields

INT32_MIN, INT32_MAX = -(2**31), 2**31 - 1
INT32_MESSAGE = f"数值超出范围（{INT32_MIN} 至 {INT32_MAX}）"


def fits_int32(value: int) -> bool:
    return INT32_MIN <= value <= INT32_MAX


def argument_schemas(view: Any, location: str) -> list[Schema]:  # noqa: ANN401 - a view function
    """The schemas flask-smorest reads this location (json, query) of the request with."""
    parameters = getattr(view, "_apidoc", {}).get("arguments", {}).get("parameters", [])
    return [_instance(p["schema"]) for p in parameters if p.get("in") == location]


def out_of_range(schema: Schema, value: Any, path: str, problems: dict[str, list[str]]) -> None:  # noqa: ANN401
    """Collect each declared Integer field of `value` (a parsed body) beyond 32 bits."""
    if not isinstance(value, dict):
        return
    for name, field in schema.fields.items():
        key = field.data_key or name
        if key in value:
            _field(field, value[key], f"{path}.{key}" if path else key, problems)


def _field(field: fields.Field, value: Any, path: str, problems: dict[str, list[str]]) -> None:  # noqa: ANN401
    if isinstance(field, fields.Integer):
        if isinstance(value, int) and not isinstance(value, bool) and not fits_int32(value):
            problems.setdefault(path, []).append(INT32_MESSAGE)
    elif isinstance(field, fields.Nested):
        nested = field.schema
        for index, item in enumerate(value if field.many and isinstance(value, list) else [value]):
            out_of_range(nested, item, f"{path}.{index}" if field.many else path, problems)
    elif isinstance(field, fields.List) and isinstance(value, list):
        for index, item in enumerate(value):
            _field(field.inner, item, f"{path}.{index}", problems)


def _instance(schema: Schema | type[Schema]) -> Schema:
    return schema() if isinstance(schema, type) else schema
