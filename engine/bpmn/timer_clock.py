"""SpiffWorkflow's timer events read `datetime.now()` from their own module; point that module's
`datetime` at a subclass that asks the engine's clock, so a frozen moment reaches the engine."""

from datetime import datetime

from SpiffWorkflow.bpmn.specs.event_definitions import timer as _spiff_timer

from engine.core import clock


class ClockDatetime(datetime):
    """`datetime` whose now() follows the engine's clock; only SpiffWorkflow's timer module uses it."""

    @classmethod
    def now(cls, tz=None):  # noqa: ANN001 - mirrors datetime.now
        moment = clock.now()
        return moment.astimezone(tz) if tz is not None else moment.astimezone().replace(tzinfo=None)


_spiff_timer.datetime = ClockDatetime
