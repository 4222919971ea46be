"""`cwflow timers tick | run`: fire due timers once, or as a worker beside gunicorn."""

import json
import signal
from datetime import datetime

import click
from flask import current_app
from flask.cli import with_appcontext

from cli.moments import at_option
from engine.process import timers
from web.extensions import db


@click.group("timers")
def timers_group() -> None:
    """Fire due timers."""


@timers_group.command("tick")
@at_option("ISO datetime: fire what is due at that moment")
@with_appcontext
def timers_tick(at: datetime | None) -> None:
    """One pass over the due timers."""
    report = timers.tick(db.session, at)
    click.echo(json.dumps(report.__dict__))


@timers_group.command("run")
@click.option("--interval", type=float, default=None, help="seconds to sleep once nothing is due")
@click.option("--sweep-interval", type=float, default=timers.SWEEP_SECONDS, show_default=True,
              envvar="CWFLOW_TIMER_SWEEP_INTERVAL", help="seconds between deadline sweeps and e-mail sends")
@click.option("--batch", type=click.IntRange(1, 1000), default=timers.BATCH_SIZE, show_default=True,
              help="due instances claimed and committed together")
@with_appcontext
def timers_run(interval: float | None, sweep_interval: float, batch: int) -> None:
    """Poll for due timers until stopped (run one or more of these beside gunicorn)."""
    stopping = {"now": False}
    signal.signal(signal.SIGTERM, lambda *_: stopping.update(now=True))
    click.echo("timer worker started")
    timers.run_worker(lambda: db.session, interval=interval or current_app.config["TIMER_INTERVAL_SECONDS"],
                      sweep_interval=sweep_interval, batch=batch, stop=lambda: stopping["now"])
