"""One way a refusal reaches a person in the browser: a page, or a message flashed on the page they
came from. The API's JSON envelope is made in one place too (web/errors.py); views catch a refusal
themselves only to show it again beside the form that caused it."""

import logging
from collections.abc import Callable
from typing import Any

from flask import flash, render_template, request
from flask_babel import gettext as _

from engine.core.errors import DomainError, NotFound

log = logging.getLogger("cwflow.web")
GENERIC_FIELD_NOTES = {"必填"}  # adds nothing to the message it follows


def refusal_title(status: int) -> str:
    return {404: _("未找到"), 403: _("无权操作"), 409: _("状态已变化")}.get(status, _("无法完成操作"))


def refusal_text(exc: DomainError) -> str:
    """The engine's message, with what it says about each field, and when to try again after a 429."""
    if exc.status == 429:
        seconds = int((exc.details or {}).get("retry_after_seconds") or 0)
        minutes = max(1, -(-seconds // 60))
        return _("操作过于频繁：%(message)s（约 %(minutes)s 分钟后可再试）", message=exc.message, minutes=minutes)
    fields = (exc.details or {}).get("fields") or {}
    notes = [m for messages in fields.values() for m in messages if m not in GENERIC_FIELD_NOTES]
    return exc.message + ("：" + "；".join(notes) if notes else "")


def error_page(status: int, title: str, message: str, template: str = "errors/page.html") -> tuple[str, int]:
    return render_template(template, status=status, title=title, message=message), status


def refusal_page(exc: DomainError, template: str = "errors/page.html") -> tuple[str, int]:
    """A refusal as a page; a 404 never says whether the thing exists."""
    if exc.status == 404:
        log.info("denied or unknown: %s %s", request.method, request.path)
        return not_found_page(template)
    return error_page(exc.status, refusal_title(exc.status), refusal_text(exc), template)


def not_found_page(template: str = "errors/page.html") -> tuple[str, int]:
    return error_page(404, _("未找到"), _("您要找的内容不存在，或不在您的管辖范围内。"), template)


def attempt(action: Callable[[], Any]) -> tuple[Any, bool]:
    """Run one engine command for a page; a refusal becomes a flashed message on the page the user
    goes back to (a 404 stays a 404 page)."""
    try:
        return action(), True
    except NotFound:
        raise
    except DomainError as exc:
        flash(refusal_text(exc), "error")
        return None, False
