"""What diagrams may call, and the side effects they ask for.

Scripts never touch the database: `set_outcome`, `set_worker_status` and `notify` only record a
request here, and the step kernel (engine/process/kernel.py) applies them in the same transaction
as the step that made them.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from config.policy import DEFAULTS, policy_value
from config.roles import ROLES_BY_KEY
from engine.core import clock, dates
from engine.core.workdays import default_calendar

_ALLOWED_STATUS_CHANGES = {"resigned", "dismissed", "active", "seconded", "contract_ended", "retired",
                           "probation"}


def _no_bars(worker_id: int) -> list[str]:
    return []


@dataclass
class StepEffects:
    outcome: str | None = None
    worker_status: list[tuple[int, str, tuple[str, ...]]] = field(default_factory=list)
    notifications: list[tuple[str, str]] = field(default_factory=list)
    # reads the worker record when a gateway asks (the step kernel gives it the session's reader),
    # so a bar is judged at the moment the diagram is about to change the status, not from a copy
    bars_of: Callable[[int], list[str]] = _no_bars

    def functions(self) -> dict[str, Callable[..., Any]]:
        """The helpers offered to every script and expression of a step."""
        return {
            "policy": _policy,
            "add_days": _add_days,
            "add_working_days": _add_working_days,
            "add_months": dates.add_months_iso,
            "today": lambda: clock.today().isoformat(),
            "set_outcome": self._set_outcome,
            "set_worker_status": self._set_worker_status,
            "notify": self._notify,
            "standing_bars": self._standing_bars,
        }

    def _set_outcome(self, outcome: str) -> None:
        if not isinstance(outcome, str) or not outcome:
            raise ValueError("outcome must be a non-empty string")
        self.outcome = outcome

    def _set_worker_status(self, worker_id: int, status: str, only_from: Any = ()) -> None:
        """`only_from` (a status or a list): change only a worker still in one of them, so a
        secondment ending after a dismissal does not bring the worker back to `active`."""
        if status not in _ALLOWED_STATUS_CHANGES:
            raise ValueError(f"unknown worker status '{status}'")
        expected = (only_from,) if isinstance(only_from, str) else tuple(only_from or ())
        self.worker_status.append((int(worker_id), status, expected))

    def _standing_bars(self, worker_id: int) -> list[str]:
        """The flags of the worker record that hold a resignation now (003 art. 39)."""
        return list(self.bars_of(int(worker_id)))

    def _notify(self, role: str, message: str) -> None:
        if role not in ROLES_BY_KEY:
            raise ValueError(f"unknown role '{role}'")
        self.notifications.append((role, str(message)[:500]))


def _policy(name: str) -> Any:
    if name not in DEFAULTS:
        raise ValueError(f"unknown policy '{name}'")
    return policy_value(name)


def _as_date(day: Any) -> date:
    if isinstance(day, date):
        return day
    return date.fromisoformat(str(day)[:10])


def _add_days(day: Any, n: int) -> str:
    return (_as_date(day) + timedelta(days=int(n))).isoformat()


def _add_working_days(day: Any, n: int) -> str:
    return default_calendar().add_working_days(_as_date(day), int(n)).isoformat()


