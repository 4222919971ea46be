"""REST API v1 (docs/api.md): one flask-smorest blueprint per resource."""

from flask import Flask

from web.api import (
    documents,
    instances,
    notifications,
    operations,
    processes,
    recruitments,
    tasks,
    tokens,
    workers,
)
from web.api.schemas import ErrorSchema
from web.extensions import api, csrf


def register_api(app: Flask) -> None:
    # Every documented error response (the default one, 422 and the operations' own) is the envelope
    # web/errors.py sends, the component schema `Error`, not flask-smorest's own error shape.
    api.ERROR_SCHEMA = ErrorSchema
    api.init_app(app)
    api.spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    for module in (tokens, processes, instances, tasks, workers, recruitments, operations, notifications, documents):
        csrf.exempt(module.blp)  # bearer tokens only: no cookie, so no cross-site forgery
        api.register_blueprint(module.blp, url_prefix=f"/api/v1{module.PREFIX}")
