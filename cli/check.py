"""`cwflow check`: the consistency check of running instances against their index rows."""

import sys

import click
from flask.cli import with_appcontext

from engine.reads.consistency import check_all
from web.extensions import db


@click.command("check")
@with_appcontext
def check() -> None:
    """Compare every running instance with its task-index rows and timer column."""
    problems = check_all(db.session)
    for problem in problems:
        click.echo(problem, err=True)
    click.echo(f"{len(problems)} difference(s)")
    sys.exit(1 if problems else 0)
