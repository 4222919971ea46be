"""The Flask application: `web:create_app()` is the WSGI entry point (docs/api.md, "Basics")."""

import logging
from typing import Any

from flask import Flask

from config.settings import load_settings
from web.api import register_api
from web.auth_views import bp as auth_bp
from web.errors import register_error_handlers
from web.extensions import csrf, db
from web.health import register_health
from web.host_check import warn_if_printing_unavailable
from web.i18n import init_i18n
from web.idempotency import register_idempotency
from web.input_guard import register_input_guard
from web.proxies import trust_proxies
from web.security import register_security_headers
from web.session_teardown import end_sessions_quietly
from web.sqlite_tuning import tune_sqlite
from web.views import register_views


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the app from config/ defaults, CWFLOW_* environment variables and `test_config`."""
    app = Flask(__name__, instance_relative_config=False)
    app.config.from_mapping(load_settings(test_config))
    app.json.ensure_ascii = False
    logging.getLogger("spiff").setLevel(logging.WARNING)  # INFO writes task data (personal data)
    logging.getLogger("SpiffWorkflow").setLevel(logging.WARNING)

    db.init_app(app)
    end_sessions_quietly(app)  # registered after db: runs before its teardown
    tune_sqlite(app)
    csrf.init_app(app)
    init_i18n(app)

    register_input_guard(app)  # before the idempotency claim: a refused request writes nothing
    register_idempotency(app)
    register_api(app)
    app.register_blueprint(auth_bp)
    register_views(app)
    register_error_handlers(app)
    register_security_headers(app)

    register_health(app)
    trust_proxies(app)
    warn_if_printing_unavailable(app)
    return app
