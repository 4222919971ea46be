"""`cwflow init-db` and `cwflow demo`: the schema, and the demo data on top of it."""

import click
from flask import current_app
from flask.cli import with_appcontext

from cli.demo import DEMO_PASSWORD, load_demo
from cli.demo_cases import load_demo_cases
from cli.migrate import upgrade
from cli.workflows import deploy_shipped
from web.extensions import db


@click.command("init-db")
@with_appcontext
def init_db() -> None:
    """Create or upgrade the database schema (Alembic migrations)."""
    upgrade(current_app.config["SQLALCHEMY_DATABASE_URI"])
    click.echo("数据库已就绪 database ready")


@click.command("demo")
@with_appcontext
def demo() -> None:
    """Create the schema, load demo data and deploy the shipped workflows (never in production)."""
    upgrade(current_app.config["SQLALCHEMY_DATABASE_URI"])
    load_demo(db.session)
    deploy_shipped()
    started = load_demo_cases(db.session)
    click.echo(f"演示数据已加载：用户密码 {DEMO_PASSWORD}；新建演示案件 {len(started)} 件")
