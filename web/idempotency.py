"""The `Idempotency-Key` header on API POSTs: the Flask hooks around `engine.core.idempotency`.

A request with a key runs as one transaction: its commands only flush, and the key, the work and
the answer are committed together after the view returns. A retry with the same key and body
replays that answer; the same key with a different body is refused (422). A request that died
before its commit left nothing, so a retry runs again; a duplicate sent while the first still runs
waits for it and replays its answer. A refusal (4xx) is kept as the answer too; a server error
(5xx) keeps nothing, so a retry runs again.
"""

import hashlib

from flask import Flask, Response, current_app, g, jsonify, request
from sqlalchemy.exc import SQLAlchemyError

from engine.core import idempotency
from engine.core.errors import Conflict
from engine.core.transaction import hold_commits, release_commits
from engine.models import IdempotencyKey
from web.auth import actor_from_request
from web.errors import error_response
from web.extensions import db

HEADER = "Idempotency-Key"

# Answers holding a secret are never kept for replay: a minted token is shown once and stored only
# as its hash, so a retry of POST /tokens simply mints another.
NEVER_REPLAYED = ("/api/v1/tokens",)


def _fingerprint() -> str:
    digest = hashlib.sha256(f"{request.method} {request.path}\n".encode())
    digest.update(request.get_data(cache=True))
    return digest.hexdigest()


def register_idempotency(app: Flask) -> None:
    @app.before_request
    def claim_key():  # noqa: ANN202
        key = request.headers.get(HEADER)
        if not key or request.method != "POST" or not request.path.startswith("/api/v1/") \
                or request.path.startswith(NEVER_REPLAYED):
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
        if existing is not None and existing.status is not None:
            return _replay(existing, fingerprint)
        db.session.rollback()  # claim in a fresh transaction (SQLite cannot write from an old snapshot)
        hold_commits()
        try:
            idempotency.claim(db.session, actor.username, key, fingerprint)
        except Conflict as exc:
            release_commits()
            answered = idempotency.find(db.session, actor.username, key)
            if answered is not None and answered.status is not None:
                return _replay(answered, fingerprint)
            return error_response(409, exc.code, exc.message)
        g.idempotency_claim = (actor.username, key, fingerprint)
        return None

    @app.after_request
    def store_answer(response: Response) -> Response:
        claimed = g.pop("idempotency_claim", None)
        if claimed is None:
            return response
        release_commits()
        if response.status_code >= 400:
            db.session.rollback()  # a refusal or a failure changed nothing: undo what was flushed
        if response.status_code >= 500:
            return response  # nothing is kept: a retry runs again
        try:
            idempotency.store_answer(db.session, *claimed, response.status_code, response.get_json(silent=True))
        except (Conflict, SQLAlchemyError) as exc:
            db.session.rollback()
            if response.status_code < 400:  # the work could not be committed, so it did not happen
                return current_app.make_response(current_app.handle_user_exception(exc))
        return response

    @app.teardown_request
    def end_hold(_exc: BaseException | None) -> None:
        release_commits()


def _replay(row: IdempotencyKey, fingerprint: str):  # noqa: ANN202
    if row.fingerprint != fingerprint:
        return error_response(422, "idempotency_key_reused", "此 Idempotency-Key 已用于另一个请求",
                              {"fields": {HEADER: ["与首次请求的内容不同"]}})
    response = jsonify(row.body) if row.body is not None else Response(status=row.status)
    response.status_code = row.status
    response.headers["Idempotent-Replayed"] = "true"
    return response
