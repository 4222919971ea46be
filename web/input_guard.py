"""Hostile input refused before any view reads it (docs/api.md, "Errors"): JSON nested deeper than
anything cwflow sends, NUL characters (PostgreSQL stores none), numbers beyond 64 bits or not
finite, and a body that is not JSON on an endpoint that reads JSON. Each refusal is a 4xx in the
error envelope (a page for the HTML views) and comes before the idempotency claim, so nothing is
written."""

import json
import math
import re
from typing import Any

from flask import Flask, current_app, request
from marshmallow import fields

from engine.core.errors import DomainError, InvalidData, NotFound
from engine.core.json_depth import MAX_JSON_DEPTH, json_depth
from web.integer_fields import INT32_MESSAGE, argument_schemas, fits_int32, out_of_range

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
NUL = "\x00"
NUL_MESSAGE = "不得包含空字符（\\u0000）"
RANGE_MESSAGE = f"数值超出范围（{INT64_MIN} 至 {INT64_MAX}）"
FINITE_MESSAGE = "必须是有限的数值"
SURROGATE_MESSAGE = "含有无效的 Unicode 字符"
_SURROGATE = re.compile("[\ud800-\udfff]")  # a lone half of a pair: no UTF-8 text can hold it
_UNPRINTABLE = re.compile("[\x00\ud800-\udfff]")
_INTEGER = re.compile(r"[+-]?\d+")


class RequestTooDeep(DomainError):
    status = 400
    code = "request_too_deep"


class UnsupportedMediaType(DomainError):
    status = 415
    code = "unsupported_media_type"


def register_input_guard(app: Flask) -> None:
    """Install the guard; it must run before any other before_request hook that writes."""

    @app.before_request
    def guard_input() -> None:
        if request.view_args is not None:
            _check_strings(request.view_args.items())
            _check_path_numbers(request.view_args)
        view = current_app.view_functions.get(request.endpoint or "")
        _check_strings(request.args.items(multi=True))
        _check_query_numbers(request.args.items(multi=True), view)
        if argument_schemas(view, "json") and not request.is_json and (request.content_type or request.content_length):
            raise UnsupportedMediaType("不支持的内容类型，请以 application/json 发送",
                                       details={"content_type": request.mimetype})
        if request.is_json:
            _check_json(request.get_data(cache=True), view)
        elif request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
            _check_strings(request.form.items(multi=True))
            _check_strings((key, upload.filename or "") for key, upload in request.files.items(multi=True))


def _check_json(raw: bytes, view: Any) -> None:  # noqa: ANN401 - the view function
    if json_depth(raw) > MAX_JSON_DEPTH:
        raise RequestTooDeep(f"请求数据嵌套过深（最多 {MAX_JSON_DEPTH} 层）", details={"max_depth": MAX_JSON_DEPTH})
    if not raw.strip():
        return
    try:
        body = json.loads(raw)
    except (ValueError, RecursionError):  # not JSON, not UTF-8, or an integer of thousands of digits
        raise DomainError("请求体不是有效的 JSON", code="bad_request") from None
    problems: dict[str, list[str]] = {}
    _walk(body, "", problems)
    for schema in argument_schemas(view, "json") if not problems else []:
        out_of_range(schema, body, "", problems)
    if problems:
        raise _refusal(problems)


def _walk(value: Any, path: str, problems: dict[str, list[str]]) -> None:
    """Collect each field holding a NUL, a lone surrogate, a number beyond 64 bits or a non-finite number (depth is
    already bounded, so the recursion is too)."""
    name = path or "data"
    if isinstance(value, str):
        if NUL in value:
            problems.setdefault(name, []).append(NUL_MESSAGE)
        if _SURROGATE.search(value):
            problems.setdefault(name, []).append(SURROGATE_MESSAGE)
    elif isinstance(value, bool):
        return
    elif isinstance(value, int):
        if not INT64_MIN <= value <= INT64_MAX:
            problems.setdefault(name, []).append(RANGE_MESSAGE)
    elif isinstance(value, float):
        if not math.isfinite(value):
            problems.setdefault(name, []).append(FINITE_MESSAGE)
    elif isinstance(value, dict):
        for key, inner in value.items():
            inner_path = f"{path}.{_printable(key)}" if path else _printable(key)
            if NUL in key:
                problems.setdefault(inner_path, []).append(NUL_MESSAGE)
            if _SURROGATE.search(key):
                problems.setdefault(inner_path, []).append(SURROGATE_MESSAGE)
            _walk(inner, inner_path, problems)
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            _walk(inner, f"{path}.{index}" if path else str(index), problems)


def _check_strings(pairs: Any) -> None:
    problems: dict[str, list[str]] = {}
    for key, value in pairs:
        if (isinstance(value, str) and NUL in value) or NUL in str(key):
            problems.setdefault(_printable(str(key)), []).append(NUL_MESSAGE)
    if problems:
        raise _refusal(problems)


def _check_query_numbers(pairs: Any, view: Any) -> None:  # noqa: ANN401
    """Any integer beyond 64 bits; one beyond 32 bits in a parameter the endpoint reads as Integer."""
    declared = {field.data_key or name for schema in argument_schemas(view, "query")
                for name, field in schema.fields.items() if isinstance(field, fields.Integer)}
    problems: dict[str, list[str]] = {}
    for key, value in pairs:
        if not _INTEGER.fullmatch(value.strip()):
            continue
        if not _fits_int64(value.strip()):
            problems.setdefault(key, []).append(RANGE_MESSAGE)
        elif key in declared and not fits_int32(int(value)):
            problems.setdefault(key, []).append(INT32_MESSAGE)
    if problems:
        raise _refusal(problems)


def _fits_int64(digits: str) -> bool:
    """Whether a decimal integer fits 64 bits; a very long one is never converted (Python refuses
    to convert thousands of digits)."""
    if len(digits.lstrip("+-").lstrip("0")) > 19:
        return False
    return INT64_MIN <= int(digits) <= INT64_MAX


def _check_path_numbers(view_args: dict[str, Any]) -> None:
    """An id no row can have (every id column is a 32-bit INTEGER) is unknown: 404, as any other."""
    for value in view_args.values():
        if isinstance(value, int) and not fits_int32(value):
            raise NotFound("未找到")


def _refusal(problems: dict[str, list[str]]) -> InvalidData:
    """The fields named in the message too: an HTML page shows the message, not the field list."""
    return InvalidData(f"请求数据有误（{'、'.join(problems)}）", problems)


def _printable(key: str) -> str:
    """A field name fit to echo back: a NUL or a lone surrogate written as its escape."""
    return _UNPRINTABLE.sub(lambda match: f"\\u{ord(match.group()):04x}", key)
