"""The `--at` option of the commands that act as of a moment (timers, deadlines)."""

from collections.abc import Callable
from datetime import datetime
from typing import Any

import click

from engine.core import clock


def _parse_at(ctx: click.Context, param: click.Parameter, value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        return clock.moment_from_text(value)
    except ValueError:
        raise click.BadParameter(f"应为 ISO 日期时间，如 2027-01-04T09:00:00+08:00（收到 {value!r}）") from None


def at_option(help_text: str) -> Callable[[Any], Any]:
    """`--at ISO`: a moment, China time unless it names a zone; None when not given."""
    return click.option("--at", "at", default=None, callback=_parse_at, help=help_text)
