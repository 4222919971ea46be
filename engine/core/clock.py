"""One source of "now" for the engine, freezable for tests and `timers tick --at`.

The BPMN layer points SpiffWorkflow's timers at this clock (`engine.bpmn.timer_clock`).
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, date, datetime, timedelta, timezone

CHINA_TZ = timezone(timedelta(hours=8), "Asia/Shanghai")
_frozen_at: ContextVar[datetime | None] = ContextVar("cwflow_frozen_at", default=None)
_real_datetime = datetime


def now() -> datetime:
    """The current moment, aware, in UTC."""
    frozen = _frozen_at.get()
    return frozen if frozen is not None else _real_datetime.now(UTC)


def today() -> date:
    """Today's date in China, where every deadline of the regulations is counted."""
    return now().astimezone(CHINA_TZ).date()


def moment_from_text(text: str) -> datetime:
    """An ISO date-time typed by an operator; one without a zone is China time."""
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=CHINA_TZ)


@contextmanager
def frozen(at: datetime) -> Iterator[datetime]:
    """Run the block as if it were `at` (aware; naive values are taken as China time)."""
    if at.tzinfo is None:
        at = at.replace(tzinfo=CHINA_TZ)
    token = _frozen_at.set(at.astimezone(UTC))
    try:
        yield at
    finally:
        _frozen_at.reset(token)
