"""One mapping from domain errors and HTTP errors to the JSON error model of docs/api.md."""

import logging
from typing import Any

from flask import Flask, Response, current_app, jsonify, request
from sqlalchemy.exc import (
    DBAPIError,
    DisconnectionError,
    InterfaceError,
    OperationalError,
    SQLAlchemyError,
)
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException

from engine.core.errors import DomainError
from engine.core.privacy import mask_personal
from web.extensions import db

log = logging.getLogger("cwflow.web")


HTTP_CODES = {
    400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
    409: "conflict", 413: "too_large", 415: "unsupported_media_type", 422: "validation_error",
    429: "too_many_requests", 500: "internal_error", 503: "unavailable",
}
# Werkzeug's own descriptions are English; a description set on purpose (abort(..., description=)) is kept.
HTTP_MESSAGES = {
    400: "请求格式有误（例如请求体不是有效的 JSON）", 401: "需要登录或有效的访问令牌", 403: "无权操作",
    404: "未找到", 405: "不支持此请求方法", 409: "状态已变化，请刷新后重试", 413: "请求内容过大",
    415: "不支持的内容类型，请以 JSON 发送", 429: "请求过于频繁，请稍后再试", 500: "服务器内部错误",
    503: "服务暂时不可用，请稍后重试",
}


def http_message(exc: HTTPException) -> str:
    """The error's own description when one was given, otherwise the Chinese words for its status."""
    status = exc.code or 500
    if exc.description and exc.description != type(exc).description:
        return exc.description
    return HTTP_MESSAGES.get(status, exc.name)


def error_response(status: int, code: str, message: str, details: dict[str, Any] | None = None):
    response = jsonify({"error": {"code": code, "message": message, "details": details or {}}})
    response.status_code = status
    return response


def refusal_response(exc: DomainError):
    """A domain refusal in the error envelope, with its status."""
    return error_response(exc.status, exc.code, exc.message, exc.details)


def _webargs_fields(exc: HTTPException) -> dict[str, list[str]]:
    """Flatten webargs' {location: {field: [messages]}} into {field: [messages]}."""
    messages = getattr(exc, "data", {}).get("messages", {}) if hasattr(exc, "data") else {}
    fields: dict[str, list[str]] = {}
    for location_messages in messages.values():
        _flatten(location_messages, "", fields)
    return fields


def _flatten(value: Any, prefix: str, out: dict[str, list[str]]) -> None:
    if isinstance(value, dict):
        for key, inner in value.items():
            _flatten(inner, f"{prefix}.{key}" if prefix else str(key), out)
    elif isinstance(value, list) and all(isinstance(v, str) for v in value):
        out.setdefault(prefix or "data", []).extend(value)
    else:
        out.setdefault(prefix or "data", []).append(str(value))


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def domain_error(exc: DomainError):
        if exc.status == 404 and request.path.startswith("/api/"):
            log.info("denied or unknown: %s %s", request.method, mask_personal(request.path))
        return refusal_response(exc)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        status = exc.code or 500
        if status == 422:
            fields = _webargs_fields(exc)
            return error_response(422, "validation_error", "请求数据有误", {"fields": fields})
        return error_response(status, HTTP_CODES.get(status, "error"), http_message(exc))

    @app.errorhandler(SQLAlchemyError)
    def database_error(exc: SQLAlchemyError):
        """A lost or refused connection is 503 (retry later; the transaction was rolled back); any
        other database error is 500. Logged by type only: statement parameters carry personal data."""
        try:
            db.session.rollback()
        except SQLAlchemyError:
            pass
        orig = getattr(exc, "orig", None)
        kind = type(orig).__name__ if orig is not None else type(exc).__name__
        if _unavailable(exc):
            log.error("database unavailable: %s on %s %s", kind, request.method, mask_personal(request.path))
            return database_unavailable_response()
        log.error("database error: %s on %s %s", kind, request.method, mask_personal(request.path))
        return error_response(500, "internal_error", "服务器内部错误")


DATABASE_UNAVAILABLE = "数据库暂时无法响应（连接失败、超时或正忙），本次操作未保存，请稍后重试"


def database_unavailable_response() -> Response:
    """503 with Retry-After: the JSON envelope for the API, a plain Chinese page for a browser. The
    page is rendered without the context processors, which would ask the database who is logged in."""
    retry_after = str(current_app.config.get("DB_RETRY_AFTER_SECONDS", 5))
    if request.path.startswith("/api/") or request.path == "/healthz" or not request.accept_mimetypes.accept_html:
        response = error_response(503, "database_unavailable", DATABASE_UNAVAILABLE)
    else:
        page = current_app.jinja_env.get_template("errors/unavailable.html")
        response = Response(page.render(message=DATABASE_UNAVAILABLE, retry_after=retry_after), status=503,
                            mimetype="text/html")
    response.headers["Retry-After"] = retry_after
    return response


def _unavailable(exc: SQLAlchemyError) -> bool:
    if isinstance(exc, OperationalError | InterfaceError | DisconnectionError | PoolTimeout):
        return True
    return isinstance(exc, DBAPIError) and bool(exc.connection_invalidated)
