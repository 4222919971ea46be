"""The one transaction decorator every engine command runs under, and the one place that commits.

A command either commits all it did or nothing: any failure rolls the session back, and a lost
optimistic-lock race (another request saved the same case first) becomes `409 case_moved`: the
case moved meanwhile, try again. A command called from inside another joins the caller's
transaction, so the outermost one commits once.
"""

import functools
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any, TypeVar

from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from engine.core.errors import CaseMoved

T = TypeVar("T")
_depth: ContextVar[int] = ContextVar("cwflow_transaction_depth", default=0)
_held: ContextVar[bool] = ContextVar("cwflow_commits_held", default=False)


def hold_commits() -> None:
    """From now on the outermost command flushes instead of committing (a failure still rolls back)."""
    _held.set(True)


def release_commits() -> None:
    """Commands commit again; the next outermost one commits all that was held."""
    _held.set(False)


def in_transaction() -> bool:
    """Whether a command is running: a command called now joins its transaction and cannot retry."""
    return _depth.get() > 0


def transactional(fn: Callable[..., T]) -> Callable[..., T]:
    """Run `fn(session, ...)` as one transaction: commit when it returns, roll back when it raises."""

    @functools.wraps(fn)
    def wrapper(session: Session, *args: Any, **kwargs: Any) -> T:
        outermost = _depth.get() == 0
        token = _depth.set(_depth.get() + 1)
        try:
            result = fn(session, *args, **kwargs)
            if outermost:
                session.flush() if _held.get() else session.commit()
            return result
        except StaleDataError as exc:
            if outermost:
                session.rollback()
            raise CaseMoved("案件刚被更新，请重试") from exc
        except BaseException:
            if outermost:
                session.rollback()
            raise
        finally:
            _depth.reset(token)

    return wrapper
