"""`cwflow notifications send` (the e-mail outbox) and `cwflow deadlines sweep` (reminders and
escalation); `timers tick` runs both as well."""

import json
from datetime import datetime

import click
from flask.cli import with_appcontext

from cli.moments import at_option
from engine.collab import deadlines, notifications
from engine.core import clock
from web.extensions import db


@click.group("notifications")
def notifications_group() -> None:
    """In-app notifications and e-mail."""


@notifications_group.command("send")
@click.option("--limit", type=int, default=500)
@with_appcontext
def notifications_send(limit: int) -> None:
    """Send the queued e-mail once (needs CWFLOW_SMTP_HOST); safe to run beside the timer worker."""
    report = notifications.send_pending(db.session, limit=limit)
    click.echo(json.dumps(report.__dict__))


@click.group("deadlines")
def deadlines_group() -> None:
    """Task due dates: reminders before, escalation after."""


@deadlines_group.command("sweep")
@at_option("ISO datetime: remind and escalate what is due at that moment")
@with_appcontext
def deadlines_sweep(at: datetime | None) -> None:
    moment = at or clock.now()
    with clock.frozen(moment):
        report = deadlines.sweep(db.session, moment)
    click.echo(json.dumps(report.__dict__))

