"""Limits per client address, one helper for the public recruitment pages, their API and sign-in.

The address is the one the configured proxies report (web/proxies.py, CWFLOW_TRUSTED_PROXIES); it is
kept only as a keyed digest, so the table of hits says nothing about who sent them.
"""

import hashlib
from datetime import timedelta

from flask import current_app, request

from engine.core import throttle
from web.extensions import db

# (requests, minutes) per client address; deployments may override RECRUITMENT_<KIND>_LIMIT.
PUBLIC_LIMITS = {"apply": (20, 10), "lookup": (60, 10)}


def keyed(kind: str, value: str) -> str:
    """A bucket name for `value` (an address, a username) that does not reveal it."""
    digest = hashlib.sha256(f"{current_app.config['SECRET_KEY']}|{value}".encode()).hexdigest()[:40]
    return f"{kind}:{digest}"


def client_bucket(kind: str) -> str:
    return keyed(kind, request.remote_addr or "")


def limit_public(kind: str) -> None:
    """Count one public request of `kind` from this client; 429 `too_many_requests` past the limit."""
    limit, minutes = current_app.config.get(f"RECRUITMENT_{kind.upper()}_LIMIT", PUBLIC_LIMITS[kind])
    throttle.count_hit(db.session, client_bucket(kind), limit=limit, per=timedelta(minutes=minutes))
