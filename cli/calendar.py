"""`cwflow calendar load FILE` and `cwflow calendar show YEAR`: the working-day calendar from the
server's shell, with the same checks and the same recount as the admin page (系统管理 → 工作日历)."""

import json
from pathlib import Path

import click
from flask.cli import with_appcontext

from cli.users import CLI_ACTOR, refusal_text
from engine.core.errors import DomainError
from engine.core.scope import Actor
from engine.operations.calendar_file import parse_text
from engine.operations.calendar_load import load_year
from engine.reads.calendar_status import year_summary
from web.extensions import db


@click.group("calendar")
def calendar_group() -> None:
    """Working-day calendar: official holiday arrangements per year."""


@calendar_group.command("load")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def calendar_load(file: Path) -> None:
    """Load one year's arrangement ({"year": 2027, "holidays": [...], "workdays": [...]}) and
    recount the pending due dates and publicity ends counted through it; prints the counts."""
    try:
        report = load_year(db.session, Actor.system(CLI_ACTOR), parse_text(file.read_text(encoding="utf-8")))
    except UnicodeDecodeError:
        raise click.ClickException(f"{file} 不是 UTF-8 文本") from None
    except DomainError as exc:
        raise click.ClickException(refusal_text(exc)) from None
    click.echo(json.dumps(report.__dict__, ensure_ascii=False))


@calendar_group.command("show")
@click.argument("year", type=click.IntRange(1990, 2100))
@with_appcontext
def calendar_show(year: int) -> None:
    """One year's days off and make-up working days, and where they come from (loaded, official, provisional)."""
    click.echo(json.dumps(year_summary(db.session, year).as_dict(), ensure_ascii=False))
