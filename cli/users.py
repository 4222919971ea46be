"""`cwflow users add` and `cwflow users token`: accounts and integration tokens from the shell."""

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from cli.demo import ensure_user
from config.roles import ROLES_BY_KEY
from engine.models import OrgUnit, User
from engine.records.tokens import issue_token
from web.extensions import db

CLI_ACTOR = "cli"  # who the audit trail names for what the shell did, as for `workflows deploy`


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
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        raise click.ClickException(f"no user {username}")
    token, _row = issue_token(db.session, CLI_ACTOR, user, hours=hours, label=label)
    click.echo(token)
