"""`cwflow workflows validate | deploy | export`: the process definitions from the shell."""

import sys
from collections.abc import Sequence
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from config.settings import ROOT
from engine.models import Definition
from engine.workflow.loader import deploy_folder, validate_file
from web.extensions import db


@click.group("workflows")
def workflows() -> None:
    """Validate, deploy and export process definitions."""


@workflows.command("validate")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--forms", "forms_dir", type=click.Path(file_okay=False, path_type=Path), default=None)
def workflows_validate(file: Path, forms_dir: Path | None) -> None:
    """Exit 0 when FILE is deployable; otherwise list every problem and exit 1."""
    problems = validate_file(file, forms_dir or ROOT / "forms")
    if problems:
        for problem in problems:
            click.echo(f"{file.name}: {problem}", err=True)
        sys.exit(1)
    click.echo(f"{file.name}: ok")


@workflows.command("deploy")
@click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def workflows_deploy(files: tuple[Path, ...]) -> None:
    """Deploy FILES (default: every diagram in workflows/); unchanged ones stay as they are."""
    if not deploy_shipped(list(files) or None):
        sys.exit(1)


def deploy_shipped(files: Sequence[Path] | None = None) -> bool:
    """Deploy `files` (default: the app's WORKFLOWS_DIR) with the app's forms, one line per file;
    True when every file is deployed or unchanged. Needs an app context: `demo`, tests and
    benchmarks load the shipped diagrams through it."""
    outcomes = deploy_folder(db.session, Path(current_app.config["WORKFLOWS_DIR"]),
                             Path(current_app.config["FORMS_DIR"]), files)
    for outcome in outcomes:
        for problem in outcome.problems:
            click.echo(f"{outcome.name}: {problem}", err=True)
        if outcome.definition is not None:
            state = "deployed" if outcome.created else "unchanged"
            click.echo(f"{outcome.name}: {outcome.definition.key} v{outcome.definition.version} {state}")
    return all(outcome.definition is not None for outcome in outcomes)


@workflows.command("export")
@click.argument("key")
@click.option("--version", type=int, default=None)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None)
@with_appcontext
def workflows_export(key: str, version: int | None, out: Path | None) -> None:
    """Write a deployed version's BPMN (default: the newest) to --out or stdout."""
    query = select(Definition).where(Definition.key == key)
    query = query.where(Definition.version == version) if version else query.order_by(Definition.version.desc())
    definition = db.session.scalars(query.limit(1)).first()
    if definition is None:
        raise click.ClickException(f"没有已部署的流程 {key}" + (f" 第 {version} 版" if version else ""))
    if out:
        out.write_bytes(definition.bpmn)
    else:
        sys.stdout.buffer.write(definition.bpmn)
