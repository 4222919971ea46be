"""One source of "now" for the engine, freezable for tests and `timers tick --at`.

SpiffWorkflow's timer events read `datetime.now()` from their own module; we point that
module's `datetime` at a subclass that asks this clock, so a frozen moment reaches the engine.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, date, datetime, timedelta, timezone

from SpiffWorkflow.bpmn.specs.event_definitions import timer as _spiff_timer

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


class _ClockDatetime(_real_datetime):
    """`datetime` whose now() follows this clock; only SpiffWorkflow's timer module uses it."""

    @classmethod
    def now(cls, tz=None):  # noqa: ANN001 - mirrors datetime.now
        moment = now()
        return moment.astimezone(tz) if tz is not None else moment.astimezone().replace(tzinfo=None)


_spiff_timer.datetime = _ClockDatetime
