"""calendar years: official holiday arrangements loaded by administrators, and the provisional
marks of dates counted through a year without one

Revision ID: 0011_calendar_years
Revises: 0010_drop_notifications
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import engine.models.base

revision = "0011_calendar_years"
down_revision = "0010_drop_notifications"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "calendar_years",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("holidays", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=False),
        sa.Column("workdays", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=False),
        sa.Column("loaded_by", sa.String(length=64), nullable=False),
        sa.Column("loaded_at", engine.models.base.UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("year", name=op.f("pk_calendar_years")),
    )
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("due_provisional", sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column("due_working_days", sa.Integer(), nullable=True))
    with op.batch_alter_table("recruitment_applications", schema=None) as batch_op:
        batch_op.add_column(sa.Column("publicity_from", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("publicity_provisional", sa.Boolean(), server_default=sa.false(),
                                      nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("recruitment_applications", schema=None) as batch_op:
        batch_op.drop_column("publicity_provisional")
        batch_op.drop_column("publicity_from")
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.drop_column("due_working_days")
        batch_op.drop_column("due_provisional")
    op.drop_table("calendar_years")
