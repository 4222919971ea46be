"""worker version: the record counts its changes, so an edit made on an older version is refused
with a conflict instead of overwriting what another person saved meanwhile

Revision ID: 0013_worker_version
Revises: 0012_staff_recommendation
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0013_worker_version"
down_revision = "0012_staff_recommendation"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("workers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("version", sa.Integer(), server_default="1", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("workers", schema=None) as batch_op:
        batch_op.drop_column("version")
