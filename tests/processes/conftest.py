"""Fixtures the end-to-end process tests share: moments written as Beijing wall-clock time."""

from collections.abc import Callable
from datetime import datetime

import pytest


@pytest.fixture
def at(frozen_clock) -> Callable[[str], object]:  # noqa: ANN001
    """`with at("2026-03-09T10:00")`: the clock frozen at a moment in Beijing time (a full ISO moment
    with its own offset is taken as it is)."""
    return lambda moment: frozen_clock(moment if "+" in moment else f"{moment}:00+08:00")


@pytest.fixture
def tick(app) -> Callable[[str], None]:  # noqa: ANN001
    """`tick("2026-03-20T10:00")`: fire the timers due at that Beijing moment, as the timer worker would."""
    from engine.process import timers
    from web.extensions import db

    def fire(moment: str) -> None:
        with app.app_context():
            timers.tick(db.session, datetime.fromisoformat(f"{moment}:00+08:00"))

    return fire
