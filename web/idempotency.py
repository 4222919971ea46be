"""The `Idempotency-Key` header on API POSTs: the Flask hooks around `engine.core.idempotency`.

The first request with a key claims it in its own committed row before acting; its answer is
stored when it finishes. A retry with the same key and body replays that answer; the same key
with a different body is refused (422); a retry while the first is still running gets 409.
A request that died between acting and storing its answer leaves the key claimed but empty:
retries then get 409 instead of acting twice.
"""

import hashlib

from flask import Flask, Response, g, jsonify, request

from engine.core import idempotency
from engine.core.errors import Conflict
from engine.models import IdempotencyKey
from web.auth import actor_from_request
from web.errors import error_response
from web.extensions import db

HEADER = "Idempotency-Key"


def _fingerprint() -> str:
    digest = hashlib.sha256(f"{request.method} {request.path}\n".encode())
    digest.update(request.get_data(cache=True))
    return digest.hexdigest()


def register_idempotency(app: Flask) -> None:
    @app.before_request
    def claim_key():  # noqa: ANN202
        key = request.headers.get(HEADER)
        if not key or request.method != "POST" or not request.path.startswith("/api/v1/"):
            return None
        if len(key) > 128:
            return error_response(422, "validation_error", "Idempotency-Key 过长",
                                  {"fields": {HEADER: ["最多 128 个字符"]}})
        if not key.isprintable():
            return error_response(422, "validation_error", "Idempotency-Key 含有控制字符",
                                  {"fields": {HEADER: ["只能包含可见字符"]}})
        actor = actor_from_request(bearer_only=True)
        if actor is None:
            return None  # the view answers 401
        fingerprint = _fingerprint()
        existing = idempotency.find(db.session, actor.username, key)
        if existing is not None:
            return _replay(existing, fingerprint)
        try:
            row = idempotency.claim(db.session, actor.username, key, fingerprint)
        except Conflict as exc:
            return error_response(409, exc.code, exc.message)
        g.idempotency_row_id = row.id
        return None

    @app.after_request
    def store_answer(response: Response) -> Response:
        row_id = g.pop("idempotency_row_id", None)
        if row_id is None:
            return response
        db.session.rollback()  # end whatever transaction a failed view left open
        idempotency.store_answer(db.session, row_id, response.status_code, response.get_json(silent=True))
        return response


def _replay(row: IdempotencyKey, fingerprint: str):  # noqa: ANN202
    if row.fingerprint != fingerprint:
        return error_response(422, "idempotency_key_reused", "此 Idempotency-Key 已用于另一个请求",
                              {"fields": {HEADER: ["与首次请求的内容不同"]}})
    if row.status is None:
        return error_response(409, "idempotency_key_in_progress", "相同 Idempotency-Key 的请求正在处理或未完成")
    response = jsonify(row.body) if row.body is not None else Response(status=row.status)
    response.status_code = row.status
    response.headers["Idempotent-Replayed"] = "true"
    return response
