"""The timer worker's hard outer limits, a backstop behind the script sandbox's own checks.

Why: the sandbox bounds what a script can ask for (engine.bpmn.script_methods), but the worker runs
unattended, and one step stuck inside a C call would stop every timer behind it for good, since a
deadline checked between statements never gets its turn. So the worker process (`cwflow timers tick|run`)
- caps its address space (RLIMIT_AS): a huge allocation raises MemoryError in that case's step, which
  rolls back to its savepoint and puts the case in `error`, like any failing step;
- watches each case's step from a second thread: past `limit` seconds it logs the case and ends the
  process (exit code 75), which the supervisor restarts (config/systemd/cwflow-timers.service). Just
  before it does, the case's id is written to a marker file, so the restarted worker first puts that
  case in `error` for an administrator instead of firing it again and hanging once more. A worker
  killed for any other reason leaves no marker: its batch rolled back and simply runs again.
"""

from __future__ import annotations

import logging
import os
import resource
import threading
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

EXIT_STUCK = 75  # EX_TEMPFAIL: the supervisor restarts the worker
STEP_LIMIT_SECONDS = 60.0


class Watchdog:
    """Ends the process when one case's step outlives `limit`; `marker` remembers which case it was."""

    def __init__(self, marker: Path, limit: float = STEP_LIMIT_SECONDS) -> None:
        self.marker = marker
        self.limit = limit

    @contextmanager
    def watch(self, instance_id: int) -> Iterator[None]:
        timer = threading.Timer(self.limit, self._expire, args=(instance_id,))
        timer.daemon = True
        timer.start()
        try:
            yield
        finally:
            timer.cancel()

    def leftover(self) -> int | None:
        """The case whose step a previous run of this worker was ended in, if any."""
        try:
            text = self.marker.read_text().strip()
        except OSError:
            return None
        return int(text) if text.isdigit() else None

    def clear(self) -> None:
        self.marker.unlink(missing_ok=True)

    def _expire(self, instance_id: int) -> None:
        # Only the watchdog leaves the marker: a worker killed for any other reason (a deploy, the
        # OOM killer) rolled its batch back, and its cases are simply fired again by the next pass.
        try:
            self.marker.write_text(str(instance_id))
        except OSError:
            log.exception("timers: could not record the stuck instance %s", instance_id)
        log.critical("timers: the step of instance %s ran past %.0f s; ending the worker for a restart",
                     instance_id, self.limit)
        logging.shutdown()
        os._exit(EXIT_STUCK)


_installed: Watchdog | None = None


def install(watchdog: Watchdog | None) -> None:
    """Watch every timer step of this process (the CLI does, for the worker); None stops watching."""
    global _installed  # noqa: PLW0603 - one watchdog per process, set once by the command that starts it
    _installed = watchdog


def installed() -> Watchdog | None:
    return _installed


def watching(instance_id: int) -> Any:
    """Context for one case's step: watched when a watchdog is installed, else nothing."""
    return _installed.watch(instance_id) if _installed is not None else nullcontext()


def cap_memory(megabytes: int) -> None:
    """Lower this process's address-space limit to `megabytes` (never above the hard limit); 0: no cap."""
    if megabytes <= 0:
        return
    wanted = megabytes * 1024 * 1024
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
