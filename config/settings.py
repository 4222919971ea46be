"""Application settings with defaults; every one can be overridden by a CWFLOW_* variable."""

import os
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def _env(name: str, default: str) -> str:
    return os.environ.get(f"CWFLOW_{name}", default)


def compact_above_tasks() -> int:
    """CWFLOW_COMPACT_ABOVE_TASKS: the task-tree size above which a case's finished history is
    compacted before saving (engine/bpmn/compaction.py). Read from the environment on every save, as
    the engine never sees the Flask config, so a test run can set it to 0. The shipped processes
    stay below the default (67 tasks at most in their tests) and are never touched; the bench loop
    meets its goal with it (1.27x after 200 steps; 2.5x with 120)."""
    return int(_env("COMPACT_ABOVE_TASKS", "80"))


def load_settings(overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """The Flask config mapping: defaults, then environment, then explicit overrides (tests)."""
    database_url = _env("DATABASE_URL", f"sqlite:///{ROOT / 'instance' / 'cwflow.db'}")
    secret = _env("SECRET_KEY", "")
    settings: dict[str, Any] = {
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": _engine_options(database_url),
        "SECRET_KEY": secret or os.urandom(32).hex(),
        "SECRET_KEY_IS_EPHEMERAL": not secret,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _env("COOKIE_SECURE", "1") == "1",
        "PERMANENT_SESSION_LIFETIME": int(_env("SESSION_MINUTES", "480")) * 60,
        "WTF_CSRF_TIME_LIMIT": None,
        "TOKEN_HOURS": int(_env("TOKEN_HOURS", "12")),
        # Sign-in throttles (web/auth.py): one client address gets LOGIN_ADDRESS_MAX_FAILURES wrong
        # passwords per LOGIN_ADDRESS_WINDOW_MINUTES, fewer than the LOGIN_MAX_FAILURES that lock an
        # account for LOGIN_LOCK_MINUTES, so no single address can lock anyone out.
        "LOGIN_ADDRESS_MAX_FAILURES": int(_env("LOGIN_ADDRESS_MAX_FAILURES", "5")),
        "LOGIN_ADDRESS_WINDOW_MINUTES": int(_env("LOGIN_ADDRESS_WINDOW_MINUTES", "15")),
        "LOGIN_MAX_FAILURES": int(_env("LOGIN_MAX_FAILURES", "10")),
        "LOGIN_LOCK_MINUTES": int(_env("LOGIN_LOCK_MINUTES", "15")),
        "MAX_CONTENT_LENGTH": 4 * 1024 * 1024,
        "WORKFLOWS_DIR": str(ROOT / "workflows"),
        "FORMS_DIR": str(ROOT / "forms"),
        "TIMER_INTERVAL_SECONDS": float(_env("TIMER_INTERVAL", "5")),
        # The timer worker's hard limits (engine/process/timer_watchdog.py): address space in MB, and the
        # seconds one case's step may take before the worker ends itself for a restart.
        "TIMER_MEMORY_LIMIT_MB": int(_env("TIMER_MEMORY_LIMIT_MB", "2048")),
        "TIMER_STEP_LIMIT_SECONDS": float(_env("TIMER_STEP_LIMIT", "60")),
        # Reverse proxies in front of the app whose X-Forwarded-For/-Proto are believed (0: direct).
        "TRUSTED_PROXIES": int(_env("TRUSTED_PROXIES", "0")),
        # Seconds a client is told to wait (Retry-After) when the database does not answer.
        "DB_RETRY_AFTER_SECONDS": int(_env("DB_RETRY_AFTER", "5")),
        "API_TITLE": "cwflow",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/api",
        "OPENAPI_JSON_PATH": "openapi.json",
        "JSON_AS_ASCII": False,
    }
    settings.update(overrides or {})
    settings["SQLALCHEMY_ENGINE_OPTIONS"] = _engine_options(settings["SQLALCHEMY_DATABASE_URI"])
    return settings


def database_timeouts() -> dict[str, float]:
    """Seconds to wait for a connection, for a lock and for one statement (CWFLOW_DB_*_TIMEOUT).
    A stuck database or a long-held lock then fails one request in seconds, answered 503, instead
    of holding every worker until gunicorn kills it. The statement limit stays well under
    gunicorn's 30 s worker timeout."""
    return {
        "connect": float(_env("DB_CONNECT_TIMEOUT", "5")),
        "lock": float(_env("DB_LOCK_TIMEOUT", "5")),
        "statement": float(_env("DB_STATEMENT_TIMEOUT", "15")),
        "sqlite_busy": float(_env("DB_SQLITE_BUSY_TIMEOUT", "10")),
    }


def _engine_options(url: str) -> dict[str, Any]:
    limits = database_timeouts()
    if url.startswith("sqlite"):
        # Writers wait for each other (SQLite's busy timeout) instead of failing at once, but not
        # for ever: a writer stuck longer is a 503.
        return {"connect_args": {"timeout": limits["sqlite_busy"]}}
    # JIT compilation costs more than it saves on the short indexed queries of an inbox.
    options = (f"-c jit=off -c lock_timeout={int(limits['lock'] * 1000)} "
               f"-c statement_timeout={int(limits['statement'] * 1000)}")
    return {"pool_pre_ping": True, "pool_size": 10, "max_overflow": 10, "pool_timeout": limits["connect"],
            "connect_args": {"options": options, "connect_timeout": max(1, round(limits["connect"]))}}
