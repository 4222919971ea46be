"""`cwflow users add` and `cwflow users token`: accounts and integration tokens from the shell."""

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from engine.core.errors import DomainError
from engine.models import User
from engine.records.accounts import create_user_with_roles
from engine.records.tokens import issue_token
from web.auth import hash_password
from web.extensions import db

CLI_ACTOR = "cli"  # who the audit trail names for what the shell did, as for `workflows deploy`
# The engine's field names as `users add` spells them.
FIELD_NAMES = {"username": "USERNAME", "display_name": "--name", "password": "--password", "role": "--role",
               "org": "--role"}


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
    """A new active user with roles, under the admin page's checks (username, password length, roles)."""
    pairs = [(role, org) for role, _, org in (spec.partition("@") for spec in roles)]
    try:
        create_user_with_roles(db.session, CLI_ACTOR, username=username, display_name=display_name or username,
                               password_hash=hash_password(password), password_length=len(password), roles=pairs)
    except DomainError as exc:
        raise click.ClickException(refusal_text(exc)) from None
    click.echo(f"用户 {username} 已创建")


def refusal_text(exc: DomainError) -> str:
    """The engine's refusal on one line, with each field's messages (the admin page shows them beside
    its fields)."""
    fields = exc.details.get("fields") or {}
    parts = [f"{FIELD_NAMES.get(name, name)}：{'；'.join(messages)}" for name, messages in fields.items()]
    return f"{exc.message}（{'，'.join(parts)}）" if parts else exc.message


@users.command("token")
@click.argument("username")
@click.option("--hours", type=click.FloatRange(min=0), default=0, help="lifetime; 0 = no expiry (integrations)")
@click.option("--label", default="cli")
@with_appcontext
def users_token(username: str, hours: float, label: str) -> None:
    """Mint a token for an integration; only its hash is stored, so copy it now."""
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        raise click.ClickException(f"没有用户 {username}")
    token, _row = issue_token(db.session, CLI_ACTOR, user, hours=hours, label=label)
    click.echo(token)
