"""The `cwflow` console command: a Flask CLI group with the operations of api-contract.md."""

import json
import sys
from datetime import datetime
from pathlib import Path

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext
from sqlalchemy import select

from engine.core import clock
from engine.models import Definition, OrgUnit, User
from engine.process import timers
from engine.workflow.loader import deploy_folder, validate_file
from web.cli_ops import register_ops_cli
from web.extensions import db


def main() -> None:
    from web import create_app

    FlaskGroup(create_app=create_app, add_default_commands=False, help="cwflow 管理命令")(prog_name="cwflow")


def register_cli(app) -> None:  # noqa: ANN001 - Flask app
    for command in (init_db, demo, users, workflows, timers_group, check):
        app.cli.add_command(command)
    register_ops_cli(app)  # notifications send, deadlines sweep (web/cli_ops.py)


@click.command("init-db")
@with_appcontext
def init_db() -> None:
    """Create or upgrade the database schema (Alembic migrations)."""
    from web.migrate import upgrade

    upgrade(current_app.config["SQLALCHEMY_DATABASE_URI"])
    click.echo("数据库已就绪 database ready")


@click.command("demo")
@with_appcontext
def demo() -> None:
    """Create the schema, load demo data and deploy the shipped workflows (never in production)."""
    from web.demo import load_demo
    from web.migrate import upgrade

    upgrade(current_app.config["SQLALCHEMY_DATABASE_URI"])
    load_demo(db.session)
    _deploy_folder()
    click.echo("演示数据已加载：用户密码 demo-pass-2026")


@click.group("users")
def users() -> None:
    """Users and their tokens."""


@users.command("add")
@click.argument("username")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--name", "display_name", default=None)
@click.option("--role", "roles", multiple=True, help="ROLE@ORG, e.g. street_hr@S01; repeatable")
@with_appcontext
def users_add(username: str, password: str, display_name: str | None, roles: tuple[str, ...]) -> None:
    from config.roles import ROLES_BY_KEY
    from web.demo import ensure_user

    pairs = []
    for spec in roles:
        role, _, org = spec.partition("@")
        if role not in ROLES_BY_KEY or db.session.get(OrgUnit, org) is None:
            raise click.BadParameter(f"unknown role or org unit: {spec}", param_hint="--role")
        pairs.append((role, org))
    ensure_user(db.session, username, display_name or username, password, pairs)
    db.session.commit()
    click.echo(f"用户 {username} 已创建")


@users.command("token")
@click.argument("username")
@click.option("--hours", type=float, default=0, help="lifetime; 0 = no expiry (integrations)")
@click.option("--label", default="cli")
@with_appcontext
def users_token(username: str, hours: float, label: str) -> None:
    """Mint a token for an integration; only its hash is stored, so copy it now."""
    from web.auth import issue_token

    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        raise click.ClickException(f"no user {username}")
    token, _ = issue_token(user, hours=hours, label=label)
    db.session.commit()
    click.echo(token)


@click.group("workflows")
def workflows() -> None:
    """Validate, deploy and export process definitions."""


@workflows.command("validate")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--forms", "forms_dir", type=click.Path(file_okay=False, path_type=Path), default=None)
def workflows_validate(file: Path, forms_dir: Path | None) -> None:
    """Exit 0 when FILE is deployable; otherwise list every problem and exit 1."""
    from config.settings import ROOT

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
    if not _deploy_folder(list(files) or None):
        sys.exit(1)


def _deploy_folder(files: list[Path] | None = None) -> bool:
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
        raise click.ClickException(f"no deployed definition {key} {version or ''}")
    if out:
        out.write_bytes(definition.bpmn)
    else:
        sys.stdout.buffer.write(definition.bpmn)


@click.group("timers")
def timers_group() -> None:
    """Fire due timers."""


timers_group.name = "timers"


@timers_group.command("tick")
@click.option("--at", "at", default=None, help="ISO datetime: fire what is due at that moment")
@with_appcontext
def timers_tick(at: str | None) -> None:
    """One pass over the due timers."""
    moment = None
    if at:
        moment = datetime.fromisoformat(at)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=clock.CHINA_TZ)
    report = timers.tick(db.session, moment)
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
    import signal

    stopping = {"now": False}
    signal.signal(signal.SIGTERM, lambda *_: stopping.update(now=True))
    click.echo("timer worker started")
    timers.run_worker(lambda: db.session, interval=interval or current_app.config["TIMER_INTERVAL_SECONDS"],
                      sweep_interval=sweep_interval, batch=batch, stop=lambda: stopping["now"])


@click.command("check")
@with_appcontext
def check() -> None:
    """Compare every running instance with its task-index rows and timer column."""
    from engine.reads.consistency import check_all

    problems = check_all(db.session)
    for problem in problems:
        click.echo(problem, err=True)
    click.echo(f"{len(problems)} difference(s)")
    sys.exit(1 if problems else 0)
