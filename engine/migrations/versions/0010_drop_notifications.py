"""drop notifications: the diagrams' notify() reaches people through user_notifications and the
audit trail's `notified` events; the old role-addressed table was written and never read

Revision ID: 0010_drop_notifications
Revises: 0009_task_queue_index
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

import engine.models.base

revision = "0010_drop_notifications"
down_revision = "0009_task_queue_index"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_index("ix_notifications_role")
    op.drop_table("notifications")


def downgrade() -> None:
    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", engine.models.base.UtcDateTime(), nullable=False),
        sa.Column("instance_id", sa.Integer(), nullable=True),
        sa.Column("role", sa.String(length=40), nullable=True),
        sa.Column("org_code", sa.String(length=32), nullable=True),
        sa.Column("org_path", sa.String(length=255), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["instance_id"], ["instances.id"], name=op.f("fk_notifications_instance_id_instances")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_notifications_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
    )
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.create_index("ix_notifications_role", ["role", "org_path"], unique=False)
