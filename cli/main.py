"""The `cwflow` console command: one click group over the app factory, a module per command group."""

from flask.cli import FlaskGroup

from cli import calendar, check, database, ops, timers, users, workflows
from web import create_app

cwflow = FlaskGroup(name="cwflow", create_app=create_app, add_default_commands=False, help="cwflow 管理命令")
for command in (database.init_db, database.demo, users.users, workflows.workflows, timers.timers_group,
                ops.notifications_group, ops.deadlines_group, calendar.calendar_group, check.check):
    cwflow.add_command(command)


def main() -> None:
    """The console-script entry point (`[project.scripts]` in pyproject.toml)."""
    cwflow(prog_name="cwflow")
