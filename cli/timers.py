"""`cwflow timers tick | run`: fire due timers once, or as a worker beside gunicorn."""

import json
import logging
import signal
import threading
from datetime import datetime
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from cli.moments import at_option
from engine.process import timer_watchdog, timers
from web.extensions import db


@click.group("timers")
def timers_group() -> None:
    """Fire due timers."""


def _hard_limits(marker: str | None) -> None:
    """Cap the worker's memory and watch each step (engine/process/timer_watchdog.py)."""
    timer_watchdog.cap_memory(current_app.config["TIMER_MEMORY_LIMIT_MB"])
    path = Path(marker) if marker else Path(current_app.instance_path) / "timer-step.inflight"
    path.parent.mkdir(parents=True, exist_ok=True)
    timer_watchdog.install(timer_watchdog.Watchdog(path, current_app.config["TIMER_STEP_LIMIT_SECONDS"]))


_MARKER = click.option("--step-marker", default=None, envvar="CWFLOW_TIMER_STEP_MARKER",
                       help="file naming the case whose step is running (one per worker; default in the instance folder)")


@timers_group.command("tick")
@at_option("ISO datetime: fire what is due at that moment")
@_MARKER
@with_appcontext
def timers_tick(at: datetime | None, step_marker: str | None) -> None:
    """One pass over the due timers."""
    _hard_limits(step_marker)
    try:
        report = timers.tick(db.session, at)
    finally:
        timer_watchdog.install(None)
    click.echo(json.dumps(report.__dict__))


@timers_group.command("run")
@click.option("--interval", type=float, default=None, help="seconds to sleep once nothing is due")
@click.option("--sweep-interval", type=float, default=timers.SWEEP_SECONDS, show_default=True,
              envvar="CWFLOW_TIMER_SWEEP_INTERVAL", help="seconds between deadline sweeps and e-mail sends")
@click.option("--batch", type=click.IntRange(1, 1000), default=timers.BATCH_SIZE, show_default=True,
              help="due instances claimed and committed together")
@click.option("--max-retry-wait", type=click.FloatRange(0.1), default=timers.RETRY_MAX_SECONDS, show_default=True,
              envvar="CWFLOW_TIMER_MAX_RETRY_WAIT", help="longest wait between attempts while the database fails")
@click.option("--max-iterations", type=click.IntRange(1), default=None,
              help="stop after this many passes (default: run until SIGTERM or Ctrl-C)")
@_MARKER
@with_appcontext
def timers_run(interval: float | None, sweep_interval: float, batch: int, max_retry_wait: float,
               max_iterations: int | None, step_marker: str | None) -> None:
    """Poll for due timers until stopped (run one or more of these beside gunicorn, under a
    supervisor: config/systemd/cwflow-timers.service). Database errors are retried, never fatal."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    _hard_limits(step_marker)
    stopping = threading.Event()

    def request_stop(signum: int, _frame: object) -> None:
        logging.getLogger(__name__).info("timer worker stopping (signal %s)", signum)
        stopping.set()  # wakes a sleep or a retry wait at once

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    click.echo("timer worker started")
    try:
        passes = timers.run_worker(
            lambda: db.session, interval=interval or current_app.config["TIMER_INTERVAL_SECONDS"],
            sweep_interval=sweep_interval, batch=batch, stop=stopping.is_set, max_iterations=max_iterations,
            backoff=timers.Backoff(cap=max_retry_wait), sleep=stopping.wait)
    finally:
        timer_watchdog.install(None)
    click.echo(f"timer worker stopped after {passes} pass(es)")
